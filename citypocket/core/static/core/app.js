/* CityPocket app shell: installs the service worker and hands it the pages to keep offline. */
(function () {
  "use strict";
  var body = document.body;
  if ("serviceWorker" in navigator && body && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).then(function () {
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
