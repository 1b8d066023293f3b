/* CityPocket service worker: caches the app shell, serves an offline page, and keeps the pages
   a city asks for (help now, last known values) available without a connection.

   Only public copies are kept: an answer marked `private` or `no-store` is never stored. The server
   marks that way everything it answers to a signed-in person (core.middleware.PersonalResponseMiddleware),
   so that a ballot, notifications or "my data" never stay on a device for the next person who opens
   the app offline. The pages kept for offline use are fetched without cookies: the copy is the one
   any visitor gets. Signing out also clears the copies (the server's Clear-Site-Data, and app.js
   on the next page for browsers that ignore it). */
const VERSION = "{{ version }}";
const SHELL_CACHE = "shell-" + VERSION;
/* v2: copies kept by v1 could hold personal pages; activating this worker deletes them. */
const PAGES_CACHE = "pages-v2";
const SHELL = {{ shell_json|safe }};
const OFFLINE_URL = SHELL[0];

/* Without cookies: the offline page kept is the one any visitor gets, not a signed-in person's. */
self.addEventListener("install", (event) => {
  const requests = SHELL.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => (k.startsWith("shell-") && k !== SHELL_CACHE)
        || (k.startsWith("pages-") && k !== PAGES_CACHE)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

/* Whether an answer may be kept for offline use: a public, successful, same-origin answer only
   (a redirected one could not answer a navigation anyway). */
function mayKeep(response) {
  if (!response || !response.ok || response.type !== "basic" || response.redirected) return false;
  const control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !/(^|[\s,])(no-store|private)([\s,=]|$)/.test(control);
}

function keep(cache, request, response) {
  return mayKeep(response) ? cache.put(request, response) : Promise.resolve();
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    /* Pages ask the worker to keep some URLs for offline use (data-precache on <body>), fetched as
       an anonymous visitor would see them. */
    const urls = data.urls.filter((u) => typeof u === "string" && u.startsWith("/") && !u.startsWith("//")
      && isKeptPath(u));
    event.waitUntil(caches.open(PAGES_CACHE).then((cache) => Promise.all(urls.map((url) =>
      fetch(url, { credentials: "omit" }).then((response) => keep(cache, url, response)).catch(() => undefined)))));
  }
});

/* Back office and accounts are never kept, whoever asks. */
function isKeptPath(pathname) {
  return !pathname.startsWith("/admin/") && !pathname.startsWith("/accounts/") && !pathname.startsWith("/staff/");
}

function isCacheableGet(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin && isKeptPath(url.pathname);
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
    /* Network first, so numbers are fresh; the last public copy (with its time) when offline.
       ignoreVary: the copy was stored before the city cookie or language changed. */
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (mayKeep(response)) {
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
