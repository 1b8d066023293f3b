/* CityPocket service worker: caches the app shell, serves an offline page, and keeps the pages
   a city asks for (help now, last known values) available without a connection. */
const VERSION = "{{ version }}";
const SHELL_CACHE = "shell-" + VERSION;
const PAGES_CACHE = "pages-v1";
const SHELL = {{ shell_json|safe }};
const OFFLINE_URL = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

/* Pages ask the worker to keep some URLs for offline use (data-precache on <body>). */
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    const urls = data.urls.filter((u) => typeof u === "string" && u.startsWith("/"));
    event.waitUntil(caches.open(PAGES_CACHE).then((cache) => cache.addAll(urls)).catch(() => undefined));
  }
});

function isCacheableGet(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin && !url.pathname.startsWith("/admin/")
    && !url.pathname.startsWith("/accounts/") && !url.pathname.startsWith("/staff/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!isCacheableGet(request)) return;
  const url = new URL(request.url);
  if (url.pathname.startsWith("/static/")) {
    /* Static files are content-hashed in production: cache first. */
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate" || url.pathname.startsWith("/api/")) {
    /* Network first, so numbers are fresh; the last copy (with its time) when offline.
       ignoreVary: the copy was stored before the city cookie or language changed. */
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            event.waitUntil(caches.open(PAGES_CACHE).then((cache) => cache.put(request, copy)));
          }
          return response;
        })
        .catch(() =>
          caches.match(request, { ignoreVary: true }).then((hit) =>
            hit || (request.mode === "navigate" ? caches.match(OFFLINE_URL, { ignoreVary: true }) : Response.error()))
        )
    );
  }
});
