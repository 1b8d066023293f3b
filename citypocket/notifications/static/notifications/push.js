/* "Alert me on this device" on the alerts page: subscribes this browser's push service to the city's
   alerts (POST …/notifications/push-subscriptions) and links to the device's own settings page.
   The push service worker is the one the air page registers (same scope: one push subscription per
   browser, whose themes the server keeps). */
(function () {
  "use strict";
  var box = document.getElementById("alerts-push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var d = box.dataset;
  var button = document.getElementById("alerts-push-button");
  var status = document.getElementById("alerts-push-status");
  var settingsLink = document.getElementById("alerts-push-settings");
  var storeKey = "citypocket-notifications-" + d.city;

  function keyBytes(base64url) {
    var raw = window.atob((base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  }

  function registration() {
    var scope = new URL("push/", new URL(d.sw, window.location.href)).pathname;
    return navigator.serviceWorker.register(d.sw, { scope: scope }).then(function () {
      return navigator.serviceWorker.getRegistration(scope);
    }).then(function (found) {
      return found.active ? found : new Promise(function (resolve) {
        var worker = found.installing || found.waiting;
        worker.addEventListener("statechange", function () { if (worker.state === "activated") resolve(found); });
      });
    });
  }

  function render() {
    var saved = JSON.parse(window.localStorage.getItem(storeKey) || "null");
    button.textContent = saved ? d.labelStop : d.labelStart;
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    settingsLink.hidden = !saved;
    if (saved) settingsLink.href = saved.settings_url;
  }

  function subscribe(publicKey) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error(d.msgDenied);
      return registration();
    }).then(function (found) {
      return found.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      body.language = document.documentElement.lang === "en" ? "en" : "fr";
      body.themes = ["city_alerts"];
      var headers = { "Content-Type": "application/json" };
      if (d.csrf) headers["X-CSRFToken"] = d.csrf;
      return fetch(d.subscribeUrl, { method: "POST", headers: headers, body: JSON.stringify(body) });
    }).then(function (response) {
      if (!response.ok) throw new Error(d.msgFailed);
      return response.json();
    }).then(function (data) {
      window.localStorage.setItem(storeKey, JSON.stringify({ token: data.token, settings_url: data.settings_url }));
      status.textContent = d.msgOn;
    });
  }

  function unsubscribe() {
    var saved = JSON.parse(window.localStorage.getItem(storeKey) || "null");
    return fetch(d.unsubscribeUrl.replace("TOKEN", saved.token), { method: "DELETE" }).then(function () {
      window.localStorage.removeItem(storeKey);
      status.textContent = d.msgOff;
    });
  }

  fetch(d.keyUrl).then(function (response) { return response.ok ? response.json() : {}; }).then(function (data) {
    if (!data.public_key) return;
    box.hidden = false;
    render();
    button.addEventListener("click", function () {
      button.disabled = true;
      var action = window.localStorage.getItem(storeKey) ? unsubscribe() : subscribe(data.public_key);
      action.catch(function (error) { status.textContent = (error && error.message) || d.msgFailed; })
        .then(function () { button.disabled = false; render(); });
    });
  }).catch(function () { /* the alerts stay readable on the page */ });
})();
