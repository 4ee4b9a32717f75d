// Copy the calendar link: the button only appears when the clipboard can be used; the field works without it.
(function () {
    "use strict";
    var source = document.querySelector("[data-copy-source]");
    var button = document.querySelector("[data-copy-button]");
    var status = document.querySelector("[data-copy-status]");
    if (!source || !button || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
            status.textContent = button.getAttribute("data-copied") || "";
            source.select();
        });
    });
}());
