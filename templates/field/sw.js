/* The service worker of MDT Case Tracker (issue 16), rendered by mdt.field.views.
 *
 * It keeps the offline app's shell ({{ shell }}) and the files it needs, so that the app opens
 * with no connection. It never keeps a page or an answer with data in it: the data is on the
 * device in IndexedDB, encrypted by the app with a key from the member's PIN. Any other page
 * opened with no connection is sent to the offline app. Workbox (vendored, MIT) does the work. */
importScripts({{ workbox|tojson }});
var MODULES = {{ modules|tojson }};
workbox.setConfig({
  debug: false,
  modulePathCb: function (name) { return MODULES[name]; },
});
var SHELL = {{ shell|tojson }};
var SHELL_CACHE = "mdt-field-shell";

// Every module the worker uses is loaded now, while it is first run (importScripts later fails).
var precaching = workbox.precaching;
var routing = workbox.routing;
var strategies = workbox.strategies;
var cacheable = workbox.cacheableResponse;

precaching.cleanupOutdatedCaches();
precaching.precacheAndRoute({{ precache_entries|tojson }});

// Only a page that is the shell itself is kept (not a sign-in page a redirect led to).
var onlyTheShell = {
  cacheWillUpdate: async function (args) {
    var response = args.response;
    return response && response.status === 200 && !response.redirected ? response : null;
  },
};
var shellStrategy = new strategies.NetworkFirst({
  cacheName: SHELL_CACHE,
  networkTimeoutSeconds: 4,
  plugins: [onlyTheShell, new cacheable.CacheableResponsePlugin({ statuses: [200] })],
});

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) {
      return fetch(SHELL, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(SHELL, response); }
        return undefined;
      });
    }).catch(function () { return undefined; })
  );
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && options.url.pathname === SHELL; },
  shellStrategy
);
// Any other page: the network as always; with no connection, the offline app instead of the
// browser's error page.
routing.registerRoute(
  function (options) {
    return options.request.mode === "navigate" && options.url.origin === self.location.origin;
  },
  new strategies.NetworkOnly()
);
routing.setCatchHandler(async function (options) {
  if (options.request.mode === "navigate") {
    var cached = await caches.match(SHELL, { cacheName: SHELL_CACHE });
    if (cached) { return Response.redirect(SHELL, 302); }
  }
  return Response.error();
});
