// The warning before the idle time-out (templates/components/session_warning.html).
//
// The server ends a login after a fixed time without a request (15 minutes for staff). Each page load and
// each "Stay signed in" counts as activity; the time of the last one is shared by every open tab through
// localStorage, so a tab left in the background does not warn while she works in another. Two minutes
// before the end the dialog opens; "Stay signed in" posts the dialog's own form in the background. When
// the time is up the dialog says so, and nothing typed on the page is touched: the server keeps a form
// sent after the end and offers it back after she logs in again.
(function () {
    "use strict";
    var dialog = document.getElementById("session-warning");
    if (!dialog || !window.fetch || typeof dialog.showModal !== "function") { return; }

    var KEY = "haven-session-activity";
    var idleMs = parseInt(dialog.dataset.idleSeconds, 10) * 1000;
    var warnMs = parseInt(dialog.dataset.warnSeconds, 10) * 1000;
    var form = dialog.querySelector("form[data-keepalive]");
    var remaining = dialog.querySelector("[data-remaining]");
    var strings = {};
    var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
    var timer = null;
    var ended = false;

    try { strings = JSON.parse(document.getElementById("session-warning-strings").textContent); } catch (error) { strings = {}; }

    function say(unit, count) {
        var forms = strings[unit] || {};
        var category = plurals ? plurals.select(count) : (count === 1 ? "one" : "other");
        return (forms[category] || forms.other || String(count)).split("%(count)s").join(String(count));
    }

    function lastActivity() {
        var stored = 0;
        try { stored = parseInt(window.localStorage.getItem(KEY), 10) || 0; } catch (error) { stored = 0; }
        return Math.max(stored, loadedAt);
    }

    function recordActivity(when) {
        try { window.localStorage.setItem(KEY, String(when)); } catch (error) { /* private mode: this tab only */ }
    }

    function show(part) {
        Array.prototype.forEach.call(dialog.querySelectorAll("[data-before]"), function (el) { el.hidden = part !== "before"; });
        Array.prototype.forEach.call(dialog.querySelectorAll("[data-after]"), function (el) { el.hidden = part !== "after"; });
    }

    function tick() {
        var left = lastActivity() + idleMs - Date.now();
        if (left <= 0) {
            ended = true;
            show("after");
            if (!dialog.open) { dialog.showModal(); }
            return;
        }
        if (left <= warnMs) {
            var seconds = Math.ceil(left / 1000);
            remaining.textContent = seconds > 60 ? say("minutes", Math.ceil(seconds / 60)) : say("seconds", seconds);
            if (!dialog.open) { show("before"); dialog.showModal(); }
        } else if (dialog.open) {
            dialog.close();  // she was active in another tab
        }
        timer = window.setTimeout(tick, left <= warnMs + 1000 ? 1000 : Math.min(left - warnMs, 30000));
    }

    form.addEventListener("submit", function (event) {
        if (ended) { return; }
        event.preventDefault();
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) {
                if (!response.ok) { throw new Error(String(response.status)); }
                recordActivity(Date.now());
                dialog.close();
                window.clearTimeout(timer);
                tick();
            })
            .catch(function () { form.submit(); });
    });

    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });

    dialog.addEventListener("cancel", function (event) {
        // Escape means "I am here" too: the warning must not be dismissed without keeping her signed in.
        event.preventDefault();
        if (!ended) { form.requestSubmit(); } else { dialog.close(); }
    });

    var loadedAt = Date.now();
    recordActivity(loadedAt);
    tick();
}());
