// A table wider than the screen scrolls sideways in its box (.table-scroll). A keyboard cannot scroll a box it
// cannot reach, so a box that scrolls becomes a tab stop, named after the table's caption or the heading above
// it (WCAG 2.1.1; axe's scrollable-region-focusable). Boxes that fit stay out of the tab order. Templates that
// name their box themselves (tabindex in the HTML) are left as they are.
(function () {
    "use strict";

    function nameOf(box) {
        var caption = box.querySelector("caption");
        if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
        for (var node = box.previousElementSibling; node; node = node.previousElementSibling) {
            if (/^H[1-6]$/.test(node.tagName)) { return node.textContent.trim(); }
        }
        var heading = document.querySelector("main h1");
        return heading ? heading.textContent.trim() : document.title;
    }

    function update() {
        var boxes = document.querySelectorAll(".table-scroll");
        for (var i = 0; i < boxes.length; i++) {
            var box = boxes[i];
            if (box.hasAttribute("tabindex") && !box.hasAttribute("data-scroll-region")) { continue; }
            if (box.scrollWidth > box.clientWidth + 1) {
                box.setAttribute("tabindex", "0");
                box.setAttribute("role", "region");
                box.setAttribute("aria-label", nameOf(box));
                box.setAttribute("data-scroll-region", "");
            } else if (box.hasAttribute("data-scroll-region")) {
                box.removeAttribute("tabindex");
                box.removeAttribute("role");
                box.removeAttribute("aria-label");
                box.removeAttribute("data-scroll-region");
            }
        }
    }

    var pending = null;
    window.addEventListener("resize", function () {
        if (pending) { window.cancelAnimationFrame(pending); }
        pending = window.requestAnimationFrame(update);
    });
    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", update);
    } else {
        update();
    }
}());
