/* Amparo's service worker for the distribution point (served by assistance.offline_views,
   scope /assistance/). It keeps the static files of the distribution page and shows the
   offline shell (/assistance/offline/, kept by the page once a list is downloaded) when a
   distribution page cannot load. It never keeps a page holding personal data, nor an API
   answer: the list lives in IndexedDB, where the page manages it. */
"use strict";

var VERSION = "{{ version }}";
var STATIC_CACHE = "amparo-static-" + VERSION;
var SHELL_CACHE = "amparo-shell";
var SHELL_URL = "{% url 'assistance:offline' %}";
var FILES = [{% for file in files %}"{{ file|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
var DISTRIBUTION = /^\/assistance\/cycles\/[0-9a-f-]{36}\/$/;
var NAVIGATION_TIMEOUT_MS = 8000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(FILES); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("amparo-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withTimeout(request, ms) {
  var controller = new AbortController();
  var timer = setTimeout(function () { controller.abort(); }, ms);
  return fetch(request, { signal: controller.signal }).finally(function () {
    clearTimeout(timer);
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && DISTRIBUTION.test(url.pathname)) {
    event.respondWith(
      withTimeout(request, NAVIGATION_TIMEOUT_MS).catch(function () {
        return caches.open(SHELL_CACHE).then(function (cache) {
          return cache.match(SHELL_URL);
        }).then(function (shell) {
          return shell || Response.error();
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("{{ static_prefix|default:'/static/' }}") === 0) {
    // Static names carry their content's hash: a kept copy is always right.
    event.respondWith(
      caches.open(STATIC_CACHE).then(function (cache) {
        return cache.match(request).then(function (kept) {
          return kept || fetch(request).then(function (response) {
            if (response.ok) cache.put(request, response.clone());
            return response;
          });
        });
      })
    );
  }
});
