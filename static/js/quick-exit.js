// Quick exit. The link works without JavaScript. With it, the page is blanked at once and this entry in the
// history is replaced by a neutral site, so that Back does not return here. Shift pressed three times in
// quick succession does the same (not Escape: it also stops a page from loading). If she does come back
// (the browser restores the page from its back-forward cache), the page resets itself.
(function () {
    "use strict";
    var SHIFT_WINDOW_MS = 1500;
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    var target = link.href;
    var presses = [];

    function blank() {
        // CSSOM changes are allowed by the strict content security policy; style attributes in HTML are not.
        document.documentElement.style.visibility = "hidden";
        document.documentElement.style.background = "#fff";
        document.title = "";
    }

    function leave(event) {
        if (event) {
            event.preventDefault();
            event.stopPropagation();
        }
        blank();
        // Anything kept on this phone for offline attendance is deleted too (static/js/offline.js).
        document.dispatchEvent(new Event("haven:quick-exit"));
        window.location.replace(target);
    }

    function reset() {
        presses = [];
        document.documentElement.style.visibility = "";
        document.documentElement.style.background = "";
        // Whatever she had typed must not be waiting for whoever comes next.
        Array.prototype.forEach.call(document.forms, function (form) { form.reset(); });
        window.scrollTo(0, 0);
    }

    link.addEventListener("click", leave);

    document.addEventListener("keydown", function (event) {
        if (event.key !== "Shift") {
            // Typing a capital letter also uses Shift: only Shift on its own counts.
            presses = [];
            return;
        }
        if (event.repeat) { return; }
        var now = Date.now();
        presses = presses.filter(function (time) { return now - time < SHIFT_WINDOW_MS; });
        presses.push(now);
        if (presses.length >= 3) {
            presses = [];
            leave();
        }
    }, true);

    window.addEventListener("pageshow", function (event) {
        if (event.persisted) { reset(); }
    });
}());
