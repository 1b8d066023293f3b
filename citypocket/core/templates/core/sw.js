/* CityPocket service worker: caches the app shell, serves an offline page, keeps the pages a city
   asks for (help now, last known values) available without a connection, and sends the drafts
   written offline when the connection returns (Background Sync; outbox.js).

   Only public copies are kept: an answer marked `private` or `no-store` is never stored. The server
   marks that way everything it answers to a signed-in person (core.middleware.PersonalResponseMiddleware),
   so that a ballot, notifications or "my data" never stay on a device for the next person who opens
   the app offline. The pages kept for offline use are fetched without cookies: the copy is the one
   any visitor gets. Signing out also clears the copies (the server's Clear-Site-Data, and app.js
   on the next page for browsers that ignore it).

   Copies are bounded: at most PAGES_MAX pages and DATA_MAX API answers, the oldest saved forgotten
   first. Each copy carries the time it was saved (X-Saved-At); a page served from its copy says so.

   Updates never swap files under an open page: a new worker installs its shell next to the old one
   and waits; the page offers "reload" (app.js), and only then does the new worker take over. */
const VERSION = "{{ version }}";
const SHELL_CACHE = "shell-" + VERSION;
/* pages-v4, data-v2: copies are stored without Vary, so that a new copy replaces the old one in a
   single step (v3 deleted the old copy first, and a page asked for in between found none); the
   v3 and v1 copies are carried over. v3: copies carry their saved time. v2 deleted v1's copies,
   which could hold personal pages. */
const PAGES_CACHE = "pages-v4";
const DATA_CACHE = "data-v2";
const CARRIED_OVER = { "pages-v3": PAGES_CACHE, "data-v1": DATA_CACHE };
const PAGES_MAX = {{ pages_max }};
const DATA_MAX = {{ data_max }};
const SHELL = {{ shell_json|safe }};
const OFFLINE_URL = SHELL[0];
const SAVED_AT = "X-Saved-At";

importScripts({{ outbox_json|safe }});

/* Without cookies: the offline page kept is the one any visitor gets, not a signed-in person's. */
self.addEventListener("install", (event) => {
  const requests = SHELL.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(requests)));
});

/* A copy as it is kept: stamped with the time it was saved, without Vary. Copies are always read
   with ignoreVary; without Vary, Cache.put matches an existing copy by its URL alone and replaces
   it, so a copy is never missing while a newer one is saved. */
async function stamped(response, savedAt) {
  const headers = new Headers(response.headers);
  headers.delete("Vary");
  if (savedAt) headers.set(SAVED_AT, savedAt);
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

/* The previous worker's copies move to this worker's caches, oldest first, unless a newer copy of
   the same URL is already there. */
async function carryOver(from, to) {
  if (!(await caches.has(from))) return;
  const [old, current] = await Promise.all([caches.open(from), caches.open(to)]);
  for (const request of await old.keys()) {
    if (await current.match(request, { ignoreVary: true })) continue;
    const response = await old.match(request, { ignoreVary: true });
    if (response) await current.put(request, await stamped(response, null));
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    Promise.all(Object.entries(CARRIED_OVER).map(([from, to]) => carryOver(from, to).catch(() => undefined)))
      .then(() => caches.keys())
      .then((keys) => Promise.all(keys.filter((k) => (k.startsWith("shell-") && k !== SHELL_CACHE)
        || (k.startsWith("pages-") && k !== PAGES_CACHE)
        || (k.startsWith("data-") && k !== DATA_CACHE)).map((k) => caches.delete(k))))
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

/* Stores a copy stamped with the time it was saved, then forgets the oldest beyond `max` (put
   removes the URL's previous copy and appends the new one: the keys stay in the order saved). */
async function keep(cacheName, max, request, response) {
  if (!mayKeep(response)) return;
  const copy = await stamped(response, new Date().toISOString());
  const cache = await caches.open(cacheName);
  await cache.put(request, copy);
  const keys = await cache.keys();
  await Promise.all(keys.slice(0, Math.max(0, keys.length - max)).map((key) => cache.delete(key)));
}

/* A page served from its copy tells the page script when it was saved (app.js shows it). */
async function fromCopy(hit) {
  const saved = hit.headers.get(SAVED_AT);
  const type = hit.headers.get("Content-Type") || "";
  if (!saved || !type.startsWith("text/html")) return hit;
  const html = (await hit.text()).replace("<body", `<body data-saved-at="${saved}"`);
  return new Response(html, { status: hit.status, statusText: hit.statusText, headers: hit.headers });
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    /* Pages ask the worker to keep some URLs for offline use (data-precache on <body>), fetched as
       an anonymous visitor would see them. */
    const urls = data.urls.filter((u) => typeof u === "string" && u.startsWith("/") && !u.startsWith("//")
      && isKeptPath(u));
    event.waitUntil(Promise.all(urls.map((url) =>
      fetch(url, { credentials: "omit" }).then((response) => keep(PAGES_CACHE, PAGES_MAX, url, response))
        .catch(() => undefined))));
  } else if (data.type === "skip-waiting") {
    /* Only when the person pressed "reload" on the page: it reloads as soon as this worker controls it. */
    self.skipWaiting();
  }
});

async function sendDrafts() {
  const done = await self.CityPocketOutbox.sendAll();
  const clients = await self.clients.matchAll({ type: "window" });
  clients.forEach((client) => client.postMessage({ type: "outbox-changed", done: done.map((d) => ({ state: d.state })) }));
}

self.addEventListener("sync", (event) => {
  if (event.tag === self.CityPocketOutbox.SYNC_TAG) event.waitUntil(sendDrafts());
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
  const isPage = request.mode === "navigate";
  if (isPage || url.pathname.startsWith("/api/")) {
    /* Network first, so numbers are fresh; the last public copy (with its time) when offline.
       ignoreVary: the copy was stored before the city cookie or language changed. */
    const [cacheName, max] = isPage ? [PAGES_CACHE, PAGES_MAX] : [DATA_CACHE, DATA_MAX];
    event.respondWith(
      fetch(request)
        .then((response) => {
          event.waitUntil(keep(cacheName, max, request, response.clone()).catch(() => undefined));
          return response;
        })
        .catch(() =>
          caches.open(cacheName).then((cache) => cache.match(request, { ignoreVary: true })).then((hit) => {
            if (hit) return isPage ? fromCopy(hit) : hit;
            return isPage ? caches.match(OFFLINE_URL, { ignoreVary: true }) : Response.error();
          }))
    );
  }
});
