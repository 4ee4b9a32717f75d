// Haven's service worker: the attendance screens kept on this phone, shown when the network is gone.
//
// Served from the site root (/sw.js) and registered by static/js/offline.js with a narrow scope per area
// (a facilitator's /groups/, a trainer's /trainings/teach/): it controls nothing else. It answers only
// page loads and static files, and only when the network fails; every other request, and every POST,
// goes to the network untouched. It holds no code from anywhere else.
"use strict";

var DB_NAME = "haven-offline";
var CACHE = "haven-screens-v1";
var KEEP_MS = 7 * 24 * 60 * 60 * 1000;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function openDb() {
    return new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
            var db = request.result;
            ["pending", "screens", "notices", "meta"].forEach(function (name) {
                if (!db.objectStoreNames.contains(name)) {
                    db.createObjectStore(name, {keyPath: name === "screens" ? "url" : name === "pending" ? "id" : "key"});
                }
            });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
    });
}

// The kept screen for this address, if it is still within its seven days.
function keptScreen(path) {
    return openDb().then(function (db) {
        return new Promise(function (resolve) {
            var request = db.transaction("screens", "readonly").objectStore("screens").get(path);
            request.onsuccess = function () { db.close(); resolve(request.result); };
            request.onerror = function () { db.close(); resolve(null); };
        });
    }).catch(function () { return null; });
}

function offlineAnswer(url) {
    return caches.open(CACHE).then(function (cache) {
        return keptScreen(url.pathname).then(function (screen) {
            if (screen && Date.now() - screen.savedAt <= KEEP_MS) {
                return cache.match(url.pathname).then(function (hit) { return hit || fallback(cache, screen.start); });
            }
            return openStart(cache);
        });
    });
}

function fallback(cache, start) {
    return (start ? cache.match(start) : Promise.resolve(null)).then(function (hit) {
        return hit || new Response("", {status: 503, statusText: "Offline"});
    });
}

// The page listing what this phone keeps, for this worker's scope.
function openStart(cache) {
    return openDb().then(function (db) {
        return new Promise(function (resolve) {
            var request = db.transaction("screens", "readonly").objectStore("screens").getAll();
            request.onsuccess = function () { db.close(); resolve(request.result || []); };
            request.onerror = function () { db.close(); resolve([]); };
        });
    }).catch(function () { return []; }).then(function (screens) {
        var scope = new URL(self.registration.scope).pathname;
        var mine = screens.filter(function (s) { return s.scope === scope; });
        return fallback(cache, mine.length ? mine[0].start : null);
    });
}

self.addEventListener("fetch", function (event) {
    var request = event.request;
    if (request.method !== "GET") { return; }
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) { return; }
    if (request.mode === "navigate") {
        event.respondWith(fetch(request).catch(function () { return offlineAnswer(url); }));
    } else if (url.pathname.indexOf("/static/") === 0) {
        event.respondWith(fetch(request).catch(function () {
            return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname + url.search); })
                .then(function (hit) { return hit || Response.error(); });
        }));
    }
});
