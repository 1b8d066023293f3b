/* CityPocket app shell: installs the service worker and hands it the pages to keep offline; after a
   sign-out, first forgets the pages kept on this device. */
(function () {
  "use strict";
  var body = document.body;
  /* The server answers a sign-out with Clear-Site-Data and this cookie (core.middleware): browsers
     that ignore Clear-Site-Data still drop the offline copies here, on the first app page after. */
  var SIGNED_OUT = "citypocket_signed_out";
  function forgetOfflineCopies() {
    if (document.cookie.split("; ").indexOf(SIGNED_OUT + "=1") === -1 || !window.caches) return Promise.resolve();
    return window.caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("pages-") === 0; })
        .map(function (key) { return window.caches.delete(key); }));
    }).then(function () {
      document.cookie = SIGNED_OUT + "=; Max-Age=0; Path=/; SameSite=Lax";
    }).catch(function () { /* nothing kept, nothing to forget */ });
  }
  var forgotten = forgetOfflineCopies();
  if ("serviceWorker" in navigator && body && body.dataset.sw) {
    forgotten.then(function () {
      return navigator.serviceWorker.register(body.dataset.sw, { scope: "/" });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = (body.dataset.precache || "").split(" ").filter(Boolean);
      urls.push(window.location.pathname);
      if (registration.active) {
        registration.active.postMessage({ type: "precache", urls: urls });
      }
    }).catch(function () { /* the app works without it */ });
  }
  /* Times carry their age ("3 min ago"); refresh the wording every minute. */
  function refreshAges() {
    var now = Date.now();
    document.querySelectorAll("time[data-age]").forEach(function (el) {
      var then = Date.parse(el.getAttribute("datetime"));
      if (isNaN(then)) return;
      var minutes = Math.max(0, Math.round((now - then) / 60000));
      var lang = document.documentElement.lang || "fr";
      var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
      el.textContent = minutes < 60 ? rtf.format(-minutes, "minute") : rtf.format(-Math.round(minutes / 60), "hour");
    });
  }
  refreshAges();
  setInterval(refreshAges, 60000);
})();
