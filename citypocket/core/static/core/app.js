/* CityPocket app shell: installs the service worker and hands it the pages to keep offline; after a
   sign-out, first forgets the pages kept on this device; says when a page is the copy kept offline,
   and offers a new version of the app without swapping it under the open page. */
(function () {
  "use strict";
  var body = document.body;
  /* The server answers a sign-out with Clear-Site-Data and this cookie (core.middleware): browsers
     that ignore Clear-Site-Data still drop the offline copies here, on the first app page after. */
  var SIGNED_OUT = "citypocket_signed_out";
  function forgetOfflineCopies() {
    if (document.cookie.split("; ").indexOf(SIGNED_OUT + "=1") === -1 || !window.caches) return Promise.resolve();
    return window.caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) { return key.indexOf("pages-") === 0 || key.indexOf("data-") === 0; })
        .map(function (key) { return window.caches.delete(key); }));
    }).then(function () {
      document.cookie = SIGNED_OUT + "=; Max-Age=0; Path=/; SameSite=Lax";
    }).catch(function () { /* nothing kept, nothing to forget */ });
  }
  var forgotten = forgetOfflineCopies();
  var strings = (document.getElementById("outbox") || { dataset: {} }).dataset;

  /* A banner at the top of the page, announced politely. */
  function banner(className, text) {
    var main = document.getElementById("main");
    var box = document.createElement("div");
    box.className = "notice " + className;
    box.setAttribute("role", "status");
    var p = document.createElement("p");
    p.textContent = text;
    box.appendChild(p);
    if (main) main.insertBefore(box, main.firstChild);
    return box;
  }

  /* A page served from the copy kept on this device says when it was saved. */
  if (body && body.dataset.savedAt && strings.savedCopy) {
    var saved = new Date(body.dataset.savedAt);
    if (!isNaN(saved)) {
      var lang = document.documentElement.lang || "fr";
      var sameDay = saved.toDateString() === new Date().toDateString();
      var format = new Intl.DateTimeFormat(lang, sameDay ? { hour: "2-digit", minute: "2-digit" }
        : { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
      banner("saved-copy", strings.savedCopy.replace("{time}", format.format(saved)));
    }
  }

  /* A new version of the worker waits until the person chooses to reload: nothing changes under an
     open page (a form being written keeps its files and its text). */
  var reloading = false;
  function offerUpdate(registration) {
    if (!registration.waiting || !navigator.serviceWorker.controller || document.getElementById("app-update")) return;
    var box = banner("app-update", strings.update || "");
    box.id = "app-update";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = strings.updateButton || "OK";
    button.addEventListener("click", function () {
      reloading = true;
      if (registration.waiting) registration.waiting.postMessage({ type: "skip-waiting" });
    });
    box.appendChild(button);
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (reloading) window.location.reload();
    });
  }

  if ("serviceWorker" in navigator && body && body.dataset.sw) {
    forgotten.then(function () {
      return navigator.serviceWorker.register(body.dataset.sw, { scope: "/" });
    }).then(function (registration) {
      offerUpdate(registration);
      registration.addEventListener("updatefound", function () {
        var installing = registration.installing;
        if (!installing) return;
        installing.addEventListener("statechange", function () {
          if (installing.state === "installed") offerUpdate(registration);
        });
      });
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
  /* "Open now" by the device's clock: the page carries each place's open intervals for the days
     ahead (data-open-intervals, UTC), so a copy read offline hours later still tells the truth.
     The server's own words stay while they still hold (same state, before its next change). */
  function refreshOpenNow() {
    var now = Date.now();
    document.querySelectorAll("[data-open-intervals]").forEach(function (el) {
      var label = el.classList.contains("open-state") ? el : el.querySelector(".open-state");
      var intervals;
      try { intervals = JSON.parse(el.dataset.openIntervals); } catch (e) { return; }
      var until = Date.parse(el.dataset.openUntil || "");
      var known = isNaN(until) || now < until;
      var open = known && intervals.some(function (pair) { return Date.parse(pair[0]) <= now && now < Date.parse(pair[1]); });
      var state = known ? (open ? "open" : "closed") : "unknown";
      el.dataset.open = open ? "1" : "0";
      if (!label) return;
      var change = Date.parse(label.dataset.serverChange || "");
      var names = { open: "Open", closed: "Closed", unknown: "Unknown" };
      if (label.dataset.serverText === undefined) label.dataset.serverText = label.textContent;
      var serverHolds = state === label.dataset.serverState && (isNaN(change) || now < change);
      label.textContent = serverHolds ? label.dataset.serverText : (label.dataset["label" + names[state]] || label.textContent);
      Object.keys(names).forEach(function (key) {
        label.classList.toggle(label.dataset["class" + names[key]] || key, key === state);
      });
    });
  }
  function refreshTimes() { refreshAges(); refreshOpenNow(); }
  refreshTimes();
  setInterval(refreshTimes, 60000);
})();
