// Quick exit: the link works without JavaScript; with it, the page is blanked at once and replaced in
// history so that Back does not return here. Shift pressed three times quickly does the same.
(function () {
    "use strict";
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    var target = link.getAttribute("href");
    function leave(event) {
        if (event) { event.preventDefault(); }
        document.documentElement.style.display = "none";
        document.title = "";
        try { window.sessionStorage.setItem("haven-left", "1"); } catch (e) { /* storage may be off */ }
        window.location.replace(target);
    }
    link.addEventListener("click", leave);
    var presses = [];
    document.addEventListener("keyup", function (event) {
        if (event.key !== "Shift") { return; }
        var now = Date.now();
        presses = presses.filter(function (t) { return now - t < 1200; });
        presses.push(now);
        if (presses.length >= 3) { leave(); }
    });
    // Coming back (back-forward cache or history): reset instead of showing the old page.
    window.addEventListener("pageshow", function (event) {
        var left = false;
        try { left = window.sessionStorage.getItem("haven-left") === "1"; } catch (e) { left = false; }
        if (left || event.persisted) {
            try { window.sessionStorage.removeItem("haven-left"); } catch (e) { /* ignore */ }
            if (left) { window.location.replace(target); }
        }
    });
}());
