// Attendance that survives a basement.
//
// For facilitators and trainers, the screens of their sessions from yesterday to a week ahead are kept on
// the phone while online (a page lists them in #haven-offline-keep; the service worker at /sw.js shows them
// when the network is gone). Marks made without a connection wait in IndexedDB, each with an id made here,
// and are sent to the app's sync endpoint when the connection returns; the server applies each mark once.
//
// What the phone keeps is deleted at log out (also by the server's Clear-Site-Data), by the quick exit,
// when a page shows that the login has ended or that someone else logged in, and seven days after it was
// saved. Marks waiting to be sent hold no names (session, member number, mark, times): when the login ends
// they wait for her next login, and are deleted if another person logs in.
//
// Without JavaScript every attendance screen is the plain form it always was.
(function () {
    "use strict";
    if (!("indexedDB" in window) || !window.fetch || !window.Promise) { return; }

    var DB_NAME = "haven-offline";
    var CACHE = "haven-screens-v1";
    var DAY = 24 * 60 * 60 * 1000;
    var KEEP_MS = 7 * DAY;
    var REFRESH_MS = 10 * 60 * 1000;
    var script = document.currentScript;
    var user = (script && script.dataset.user) || "";
    var workerUrl = (script && script.dataset.worker) || "/sw.js";
    var deviceCopy = document.documentElement.hasAttribute("data-device-copy");
    var strings = readJson("haven-offline-strings") || {};
    var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang || "en") : null;
    var active = false;  // this page keeps or sends something; other pages never open the phone's storage
    var forgotten = false;

    function readJson(id) {
        var element = document.getElementById(id);
        if (!element) { return null; }
        try { return JSON.parse(element.textContent); } catch (error) { return null; }
    }

    function say(key, values) {
        var text = strings[key] || key;
        if (typeof text === "object") {
            var count = values && values.count;
            var category = plurals ? plurals.select(count) : (count === 1 ? "one" : "other");
            text = text[category] || text.other;
        }
        Object.keys(values || {}).forEach(function (name) {
            text = text.split("%(" + name + ")s").join(String(values[name]));
        });
        return text;
    }

    function newId() {
        if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
        var bytes = new Uint8Array(16);
        crypto.getRandomValues(bytes);
        return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    }

    // IndexedDB ---------------------------------------------------------------------------------------------

    function openDb() {
        // Once this page has deleted everything (quick exit, log out), nothing may bring the database back.
        if (forgotten) { return Promise.reject(new Error("forgotten")); }
        return new Promise(function (resolve, reject) {
            var request = indexedDB.open(DB_NAME, 1);
            request.onupgradeneeded = function () {
                var db = request.result;
                // Same stores as static/offline/sw.js creates.
                if (!db.objectStoreNames.contains("pending")) { db.createObjectStore("pending", {keyPath: "id"}); }
                if (!db.objectStoreNames.contains("screens")) { db.createObjectStore("screens", {keyPath: "url"}); }
                if (!db.objectStoreNames.contains("notices")) { db.createObjectStore("notices", {keyPath: "key"}); }
                if (!db.objectStoreNames.contains("meta")) { db.createObjectStore("meta", {keyPath: "key"}); }
            };
            request.onsuccess = function () { resolve(request.result); };
            request.onerror = function () { reject(request.error); };
        });
    }

    function withStore(name, mode, work) {
        return openDb().then(function (db) {
            return new Promise(function (resolve, reject) {
                var tx = db.transaction(name, mode);
                var result = work(tx.objectStore(name));
                tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
                tx.onerror = function () { db.close(); reject(tx.error); };
            });
        });
    }

    function all(name) { return withStore(name, "readonly", function (store) { return store.getAll(); }); }
    function put(name, value) { return withStore(name, "readwrite", function (store) { store.put(value); }); }
    function remove(name, keys) {
        return withStore(name, "readwrite", function (store) { keys.forEach(function (key) { store.delete(key); }); });
    }
    function clear(name) { return withStore(name, "readwrite", function (store) { store.clear(); }); }
    function meta(key) {
        return withStore("meta", "readonly", function (store) { return store.get(key); }).then(function (row) {
            return row ? row.value : undefined;
        });
    }
    function setMeta(key, value) { return put("meta", {key: key, value: value}); }

    // Forgetting --------------------------------------------------------------------------------------------

    function unregisterWorkers() {
        if (!navigator.serviceWorker || !navigator.serviceWorker.getRegistrations) { return Promise.resolve(); }
        return navigator.serviceWorker.getRegistrations().then(function (registrations) {
            return Promise.all(registrations.map(function (registration) { return registration.unregister(); }));
        });
    }

    // The screens (they hold aliases) and what the server said about marks; marks waiting to be sent stay.
    function forgetScreens() {
        var jobs = [clear("screens"), clear("notices"), unregisterWorkers()];
        if (window.caches) { jobs.push(caches.delete(CACHE)); }
        return Promise.all(jobs).catch(function () {});
    }

    // Everything: the database, the kept screens and the service workers. Started at once and left to finish
    // in the browser, so the quick exit does not wait for it.
    function forgetEverything() {
        forgotten = true;
        var jobs = [];
        try { jobs.push(new Promise(function (resolve) {
            var request = indexedDB.deleteDatabase(DB_NAME);
            request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
        })); } catch (error) { /* nothing kept */ }
        if (window.caches) { jobs.push(caches.delete(CACHE)); }
        jobs.push(unregisterWorkers());
        return Promise.all(jobs).catch(function () {});
    }

    function purgeExpired() {
        var now = Date.now();
        return Promise.all([
            all("screens").then(function (screens) {
                var old = screens.filter(function (s) { return now - s.savedAt > KEEP_MS; });
                if (!old.length) { return; }
                var urls = old.map(function (s) { return s.url; });
                return remove("screens", urls).then(function () {
                    return window.caches && caches.open(CACHE).then(function (cache) {
                        return Promise.all(urls.map(function (url) { return cache.delete(url); }));
                    });
                });
            }),
            all("pending").then(function (marks) {
                var old = marks.filter(function (m) { return now - Date.parse(m.marked_at) > KEEP_MS; });
                return old.length && remove("pending", old.map(function (m) { return m.id; }));
            })
        ]);
    }

    // Who is this page for? A page from the network says who is logged in; a copy from the phone does not.
    // Resolves to false when nothing at all is kept any longer.
    function checkWho() {
        if (deviceCopy) { return Promise.resolve(true); }
        if (!user) {
            // Her login has ended (or nobody is logged in): no names stay on the phone. Marks waiting to be
            // sent hold none and wait for her next login; with none waiting, nothing at all stays.
            return all("pending").then(function (marks) {
                if (marks.length) { return forgetScreens().then(function () { return true; }); }
                return forgetEverything().then(function () { return false; });
            });
        }
        return meta("user").then(function (kept) {
            if (kept && kept !== user) {
                // Someone else logged in on this phone: nothing of the other person stays, not even marks.
                return Promise.all([clear("pending"), forgetScreens()]).then(function () { return setMeta("user", user); });
            }
            return kept === user ? null : setMeta("user", user);
        }).then(function () { return true; });
    }

    // Whether this phone keeps anything: a page with nothing to keep must not create storage to look.
    function dbExists() {
        if (!indexedDB.databases) { return Promise.resolve(true); }
        return indexedDB.databases().then(function (dbs) {
            return dbs.some(function (db) { return db.name === DB_NAME; });
        }).catch(function () { return true; });
    }

    // Keeping screens -----------------------------------------------------------------------------------------

    function markAsCopy(html) {
        return html.replace(/<html(\s|>)/i, "<html data-device-copy$1");
    }

    function assetsOf(html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var urls = [];
        doc.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
            var url = new URL(el.getAttribute("href") || el.getAttribute("src"), location.href);
            if (url.origin === location.origin) { urls.push(url.pathname + url.search); }
        });
        return urls;
    }

    function keepPage(cache, url, fetchUrl) {
        return fetch(fetchUrl, {credentials: "same-origin", redirect: "manual"}).then(function (response) {
            if (!response.ok || response.type === "opaqueredirect") { throw new Error("not kept"); }
            return response.text();
        }).then(function (html) {
            var copy = markAsCopy(html);
            return cache.put(url, new Response(copy, {headers: {"Content-Type": "text/html; charset=utf-8"}}))
                .then(function () { return assetsOf(copy); });
        });
    }

    function keepScreens(keep) {
        if (!window.caches || !user || !navigator.onLine) { return Promise.resolve(); }
        var signature = JSON.stringify(keep.screens.map(function (s) { return s.url; }));
        var key = "refreshed:" + keep.scope;
        return meta(key).then(function (last) {
            if (last && last.signature === signature && Date.now() - last.at < REFRESH_MS) { return; }
            return caches.open(CACHE).then(function (cache) {
                var assets = [];
                var pages = [keepPage(cache, keep.start, keep.start).then(function (found) {
                    assets = assets.concat(found);
                }).catch(function () {})];
                keep.screens.forEach(function (screen) {
                    var fetchUrl = screen.url + (screen.url.indexOf("?") < 0 ? "?" : "&") + "device=1";
                    pages.push(keepPage(cache, screen.url, fetchUrl).then(function (found) {
                        assets = assets.concat(found);
                        return put("screens", {url: screen.url, title: screen.title, scope: keep.scope, user: user,
                                               start: keep.start, savedAt: Date.now()});
                    }).catch(function () {}));
                });
                return Promise.all(pages).then(function () {
                    var unique = assets.filter(function (url, i) { return assets.indexOf(url) === i; });
                    return Promise.all(unique.map(function (url) {
                        return cache.match(url).then(function (hit) { return hit || cache.add(url); }).catch(function () {});
                    }));
                }).then(function () {
                    // Sessions that left the window (more than a day past) are not kept any longer.
                    var wanted = keep.screens.map(function (s) { return s.url; });
                    return all("screens").then(function (screens) {
                        var gone = screens.filter(function (s) { return s.scope === keep.scope && wanted.indexOf(s.url) < 0; });
                        return remove("screens", gone.map(function (s) { return s.url; })).then(function () {
                            return Promise.all(gone.map(function (s) { return cache.delete(s.url); }));
                        });
                    });
                }).then(function () { return setMeta(key, {signature: signature, at: Date.now()}); });
            });
        }).catch(function () {});
    }

    function registerWorker(keep) {
        if (!navigator.serviceWorker || !keep.scope) { return Promise.resolve(); }
        return navigator.serviceWorker.register(workerUrl, {scope: keep.scope}).catch(function () {});
    }

    // Sending marks -----------------------------------------------------------------------------------------

    function csrfToken() {
        var input = document.querySelector("input[name=csrfmiddlewaretoken]");
        return input ? input.value : "";
    }

    // `fromForm`: she pressed "Save attendance"; the server then says "Attendance saved." on the next page.
    var inflight = null;
    function sendAll(fromForm) {
        // A send already on its way (the connection came back as she pressed "Save"): hers goes after it.
        if (inflight) { return inflight.then(function () { return sendAll(fromForm); }); }
        if (!user || !navigator.onLine) { return Promise.resolve(null); }
        var token = csrfToken();
        if (!token) { return Promise.resolve(null); }
        inflight = all("pending").then(function (marks) {
            marks = marks.filter(function (m) { return m.user === user; });
            if (!marks.length) { return null; }
            var byUrl = {};
            marks.forEach(function (m) { (byUrl[m.syncUrl] = byUrl[m.syncUrl] || []).push(m); });
            var report = {saved: 0, notices: [], login: false, failed: false, unreadable: false};
            return Object.keys(byUrl).reduce(function (chain, url) {
                return chain.then(function () { return sendBatch(url, byUrl[url].slice(0, 400), token, report, fromForm); });
            }, Promise.resolve()).then(function () { return report; });
        }).finally(function () { inflight = null; showStatus(); });
        return inflight;
    }

    function sendBatch(url, marks, token, report, fromForm) {
        var payload = marks.map(function (m) {
            return {id: m.id, session: m.session, subject: m.subject, status: m.status, children: m.children,
                    marked_at: m.marked_at, seen: m.seen || null};
        });
        return fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": token},
            body: JSON.stringify({marks: payload, from_form: Boolean(fromForm)})
        }).then(function (response) {
            if (response.status === 401) { report.login = true; return null; }
            if (response.status === 400) {
                // A request this page made and the server cannot read: never retried, never stuck; she is told.
                report.unreadable = true;
                return remove("pending", marks.map(function (m) { return m.id; })).then(function () { return null; });
            }
            if (!response.ok) { report.failed = true; return null; }
            return response.json();
        }).then(function (body) {
            if (!body) { return; }
            var byId = {};
            marks.forEach(function (m) { byId[m.id] = m; });
            var notices = [];
            body.results.forEach(function (result) {
                var mark = byId[result.id];
                if (!mark) { return; }
                if (result.outcome === "saved") { report.saved += 1; }
                // A mark overruled by her own later one (made on the page meanwhile) needs no notice: what
                // stands is hers. Someone else's change, and a refusal, are named to her.
                if (result.outcome === "refused" || result.changed_by_someone_else) {
                    notices.push({key: mark.session + ":" + mark.subject + ":" + mark.syncUrl, session: mark.session,
                                  subject: mark.subject, syncUrl: mark.syncUrl, outcome: result.outcome,
                                  status: result.status_label || "", message: result.message || "", user: user});
                }
            });
            report.notices = report.notices.concat(notices);
            return Promise.all(notices.map(function (n) { return put("notices", n); })).then(function () {
                return remove("pending", body.results.map(function (r) { return r.id; }));
            });
        }).catch(function () { report.failed = true; });
    }

    // The status line ---------------------------------------------------------------------------------------

    var banner = null;
    var note = "";  // the last thing said (sent, nothing to send, ...): it stays until something else is said

    function statusBox() {
        var box = document.querySelector("[data-offline-status]");
        if (box) { return box; }
        if (!banner) {
            var main = document.getElementById("main");
            if (!main) { return null; }
            banner = document.createElement("div");
            banner.className = "message offline-status";
            banner.setAttribute("role", "status");
            banner.setAttribute("aria-live", "polite");
            banner.hidden = true;
            main.insertBefore(banner, main.firstChild);
        }
        return banner;
    }

    function showStatus(extra) {
        if (extra) { note = extra; }
        return all("pending").then(function (marks) {
            marks = marks.filter(function (m) { return !user || m.user === user; });
            var box = statusBox();
            if (!box) { return; }
            box.textContent = "";
            var lines = [];
            if (!navigator.onLine) { lines.push(say("offline")); }
            if (marks.length) { lines.push(say("waiting", {count: marks.length})); }
            if (marks.length && !user) { lines.push(say("login")); }
            if (note) { lines.push(note); }
            lines.forEach(function (text) {
                var p = document.createElement("p");
                p.textContent = text;
                box.appendChild(p);
            });
            if (marks.length && user && navigator.onLine) {
                var button = document.createElement("button");
                button.type = "button";
                button.className = "button-secondary button-small";
                button.textContent = say("send_now");
                button.addEventListener("click", function () { sendAndReport(false); });
                box.appendChild(button);
            }
            box.hidden = lines.length === 0;
            box.classList.toggle("is-waiting", marks.length > 0);
            markWaitingRows(marks);
        }).catch(function () {});
    }

    // After "Save attendance" the page reloads, so that it shows what the server now holds (and the change
    // log both times); when the connection merely returns, the marks go quietly and the page stays as it is.
    function sendAndReport(reload) {
        var form = document.querySelector("form[data-offline-form]");
        return sendAll(reload).then(function (report) {
            if (!report) { return showStatus(); }
            var text = report.login ? say("login") : report.failed ? say("failed") : report.unreadable ? say("unreadable") : say("sent");
            if (report.saved) { text += " " + say("saved_count", {count: report.saved}); }
            if (form && reload && !report.login && !report.failed && !report.unreadable) {
                // The page from the server says "Attendance saved." and shows the change log.
                location.reload();
                return;
            }
            if (form) { showNotices(form, parseInt(form.dataset.session, 10), form.dataset.syncUrl); }
            return showStatus(text);
        });
    }

    // The attendance screen -----------------------------------------------------------------------------------

    function rowsOf(form) {
        return Array.prototype.slice.call(form.querySelectorAll("[data-subject]"));
    }

    // Groups count the children who came with her; trainings have no such field.
    function childrenInput(form, subject) {
        var prefix = form.dataset.childrenPrefix;
        return prefix ? form.querySelector("[name='" + prefix + subject + "']") : null;
    }

    function readRow(form, row) {
        var subject = row.dataset.subject;
        var checked = row.querySelector("input[type=radio]:checked");
        var children = childrenInput(form, subject);
        return {status: checked ? checked.value : "", children: children && children.value ? parseInt(children.value, 10) || 0 : 0};
    }

    function markWaitingRows(marks) {
        var form = document.querySelector("form[data-offline-form]");
        if (!form) { return; }
        var session = parseInt(form.dataset.session, 10);
        var waiting = {};
        marks.forEach(function (m) { if (m.session === session && m.syncUrl === form.dataset.syncUrl) { waiting[m.subject] = m; } });
        rowsOf(form).forEach(function (row) {
            var is = Boolean(waiting[parseInt(row.dataset.subject, 10)]);
            row.classList.toggle("is-waiting", is);
            var note = row.querySelector("[data-row-note]");
            if (note && !note.dataset.notice) { note.hidden = !is; note.textContent = is ? say("row_waiting") : ""; }
        });
    }

    // The form listens from the moment the page runs: taps made while the phone's storage is still being
    // opened (a slow phone, a busy server) are hers and must be sent. What needs the storage (marks kept from
    // before, notices) waits for `release`; until then "Save attendance" waits too.
    function watchForm(form) {
        var session = parseInt(form.dataset.session, 10);
        var syncUrl = form.dataset.syncUrl;
        var touched = {};
        var known = {};  // rows whose mark this script has seen change or has put there itself
        var storageOk = null;
        var readyResolve;
        var ready = new Promise(function (resolve) { readyResolve = resolve; });

        rowsOf(form).forEach(function (row) {
            row.addEventListener("change", function () {
                touched[row.dataset.subject] = new Date().toISOString();
                known[row.dataset.subject] = true;
                if (!navigator.onLine && storageOk) { storeTouched(); }
            });
        });

        // A row that differs from what the server rendered was changed by her, even if no change event was
        // seen (a tap before this script ran). Rows the script already knows keep their own time.
        function noticeUntracked() {
            var now = new Date().toISOString();
            rowsOf(form).forEach(function (row) {
                var subject = row.dataset.subject;
                if (touched[subject] || known[subject]) { return; }
                var changed = Array.prototype.some.call(row.querySelectorAll("input[type=radio]"), function (radio) {
                    return radio.checked !== radio.defaultChecked;
                });
                var children = childrenInput(form, subject);
                if (children && children.value !== children.defaultValue) { changed = true; }
                if (changed) { touched[subject] = now; }
            });
        }

        // One store at a time: two taps in quick succession must not both write the same member's mark.
        var storing = Promise.resolve(0);
        function storeTouched() {
            storing = storing.then(storeNow, storeNow);
            return storing;
        }

        // Replacing her earlier marks and writing the new ones is one transaction: a page closed halfway
        // (a reload, a tap on a link) must never leave the phone with neither.
        function storeNow() {
            var subjects = Object.keys(touched);
            if (!subjects.length) { return Promise.resolve(0); }
            var now = touched;
            touched = {};
            var fresh = subjects.map(function (subject) {
                var row = form.querySelector("[data-subject='" + subject + "']");
                var value = readRow(form, row);
                if (!value.status) { return null; }
                return {id: newId(), user: user, syncUrl: syncUrl, session: session,
                        subject: parseInt(subject, 10), status: value.status, children: value.children,
                        marked_at: now[subject], seen: row.dataset.seen || null};
            }).filter(Boolean);
            return withStore("pending", "readwrite", function (store) {
                var request = store.getAll();
                request.onsuccess = function () {
                    request.result.forEach(function (m) {
                        if (m.session === session && m.syncUrl === syncUrl && subjects.indexOf(String(m.subject)) >= 0) {
                            store.delete(m.id);
                        }
                    });
                    fresh.forEach(function (record) { store.put(record); });
                };
            }).then(function () { showStatus(); return subjects.length; });
        }

        var allPresent = form.querySelector("[data-mark-all-present]");
        if (allPresent) {
            allPresent.addEventListener("click", function (event) {
                event.preventDefault();
                var now = new Date().toISOString();
                rowsOf(form).forEach(function (row) {
                    if (row.querySelector("input[type=radio]:checked")) { return; }
                    var present = row.querySelector("input[type=radio][value=present]");
                    if (present) { present.checked = true; touched[row.dataset.subject] = now; known[row.dataset.subject] = true; }
                });
                if (!navigator.onLine && storageOk) { storeTouched(); }
                showStatus(say("all_present"));
            });
        }

        form.addEventListener("submit", function (event) {
            if (storageOk === false) { return; }  // no storage on this phone: the plain form goes as it is
            event.preventDefault();
            ready.then(function (ok) {
                if (!ok) { form.submit(); return; }
                noticeUntracked();
                return storeTouched().then(function (count) {
                    if (!count) {
                        return all("pending").then(function (marks) {
                            var mine = marks.filter(function (m) { return m.session === session && m.syncUrl === syncUrl; });
                            return mine.length ? sendAndReport(true) : showStatus(say("nothing"));
                        });
                    }
                    if (!navigator.onLine) { return showStatus(); }
                    return sendAndReport(true);
                });
            });
        });

        var opensAt = Date.parse(form.dataset.opensAt || "");
        if (opensAt && Date.now() < opensAt) {
            // A kept copy of a session that has not begun: it opens by itself when the time comes.
            var fields = form.querySelectorAll("input, button");
            fields.forEach(function (field) { field.disabled = true; });
            showStatus(say("not_open", {time: form.dataset.opensLabel}));
            setTimeout(function () {
                fields.forEach(function (field) { field.disabled = false; });
                showStatus();
            }, Math.min(opensAt - Date.now(), 2147483647));
        }

        // `ok`: the phone's storage is open and holds only her things.
        function release(ok) {
            storageOk = ok;
            if (!ok) { readyResolve(false); return; }
            // Marks waiting from before (a reload while offline): the screen shows them, not the kept copy's,
            // except where she has already tapped.
            all("pending").then(function (marks) {
                marks.forEach(function (m) {
                    if (m.session !== session || m.syncUrl !== syncUrl || m.user !== user) { return; }
                    if (touched[String(m.subject)]) { return; }
                    var row = form.querySelector("[data-subject='" + m.subject + "']");
                    if (!row) { return; }
                    var radio = row.querySelector("input[type=radio][value='" + m.status + "']");
                    if (radio) { radio.checked = true; }
                    var children = childrenInput(form, m.subject);
                    if (children) { children.value = m.children; }
                    known[String(m.subject)] = true;
                });
                if (!navigator.onLine && Object.keys(touched).length) { storeTouched(); }
                return showStatus();
            }).catch(function () {}).then(function () { readyResolve(true); });
            showNotices(form, session, syncUrl);
        }

        return {release: release};
    }

    function showNotices(form, session, syncUrl) {
        all("notices").then(function (notices) {
            var shown = form.querySelector(".offline-notices");
            if (shown) { shown.remove(); }
            notices = notices.filter(function (n) { return n.session === session && n.syncUrl === syncUrl && n.user === user; });
            if (!notices.length) { return; }
            var box = document.createElement("div");
            box.className = "message message-warning offline-notices";
            box.setAttribute("role", "alert");
            var title = document.createElement("p");
            title.className = "offline-notices-title";
            title.textContent = say("conflicts_title");
            box.appendChild(title);
            var list = document.createElement("ul");
            notices.forEach(function (n) {
                var row = form.querySelector("[data-subject='" + n.subject + "']");
                var name = row ? row.dataset.label : "#" + n.subject;
                var key = n.outcome === "superseded" ? "superseded" : n.outcome === "refused" ? "refused" : "overrode";
                var item = document.createElement("li");
                item.textContent = say(key, {name: name, status: n.status, message: n.message});
                list.appendChild(item);
                if (row) {
                    row.classList.add("is-conflict");
                    var note = row.querySelector("[data-row-note]");
                    if (note) { note.hidden = false; note.dataset.notice = "1"; note.textContent = item.textContent; }
                }
            });
            box.appendChild(list);
            var dismiss = document.createElement("button");
            dismiss.type = "button";
            dismiss.className = "button-secondary button-small";
            dismiss.textContent = say("dismiss");
            dismiss.addEventListener("click", function () {
                remove("notices", notices.map(function (n) { return n.key; })).then(function () {
                    box.remove();
                    rowsOf(form).forEach(function (row) {
                        row.classList.remove("is-conflict");
                        var note = row.querySelector("[data-row-note]");
                        if (note) { delete note.dataset.notice; }
                    });
                    showStatus();
                });
            });
            box.appendChild(dismiss);
            form.insertBefore(box, form.firstChild);
        }).catch(function () {});
    }

    // The page of what this phone keeps ---------------------------------------------------------------------

    function fillDevicePage(list) {
        all("screens").then(function (screens) {
            screens = screens.filter(function (s) { return s.user === user; });
            list.textContent = "";
            if (!screens.length) {
                var empty = document.createElement("li");
                empty.textContent = say("kept_none");
                list.appendChild(empty);
                return;
            }
            screens.sort(function (a, b) { return a.title < b.title ? -1 : 1; });
            screens.forEach(function (s) {
                var item = document.createElement("li");
                var link = document.createElement("a");
                link.href = s.url;
                link.textContent = s.title;
                item.appendChild(link);
                var until = document.createElement("span");
                until.className = "muted";
                // The day written out in the page's language, as the site writes its dates (not 12/14/2026).
                var day = new Date(s.savedAt + KEEP_MS).toLocaleDateString(document.documentElement.lang, {day: "numeric", month: "long", year: "numeric"});
                until.textContent = " · " + say("kept_until", {date: day});
                item.appendChild(until);
                list.appendChild(item);
            });
        }).catch(function () {});
    }

    // Log out and the quick exit --------------------------------------------------------------------------------

    function guardLogout() {
        document.querySelectorAll("form[action*='logout']").forEach(function (form) {
            form.addEventListener("submit", function (event) {
                if (form.dataset.offlineConfirmed) { return; }
                event.preventDefault();
                dbExists().then(function (exists) {
                    return exists ? all("pending") : [];
                }).then(function (marks) {
                    if (marks.length && !window.confirm(say("logout_confirm", {count: marks.length}))) { return; }
                    return forgetEverything().then(function () {
                        form.dataset.offlineConfirmed = "1";
                        form.submit();
                    });
                }).catch(function () { form.dataset.offlineConfirmed = "1"; form.submit(); });
            });
        });
    }

    document.addEventListener("haven:quick-exit", forgetEverything);

    // Start ------------------------------------------------------------------------------------------------------

    function start() {
        guardLogout();
        var keep = readJson("haven-offline-keep");
        var form = document.querySelector("form[data-offline-form]");
        var list = document.querySelector("[data-offline-kept]");
        window.addEventListener("online", function () { if (active) { showStatus(); sendAndReport(false); } });
        window.addEventListener("offline", function () { if (active) { showStatus(); } });
        var watcher = form && user ? watchForm(form) : null;
        dbExists().then(function (exists) {
            // Other roles, and pages with nothing to keep, leave the phone's storage untouched.
            if (!exists && !(user && (keep || form))) { return false; }
            return checkWho().then(function (kept) {
                if (!kept) { return false; }
                active = true;
                return purgeExpired().catch(function () {}).then(function () { return true; });
            });
        }).catch(function () { return false; }).then(function (ok) {
            if (watcher) { watcher.release(ok); }
            if (!ok) { return; }
            if (!watcher) { showStatus(); }
            if (list) { fillDevicePage(list); }
            // Keeping the screens fetches pages: it runs beside her, never before her form works.
            if (keep && user && !deviceCopy) {
                registerWorker(keep).then(function () { return keepScreens(keep); });
            }
            if (navigator.onLine && user && !deviceCopy) { sendAndReport(false); }
        });
    }

    start();
}());
