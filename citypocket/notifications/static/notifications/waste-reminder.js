/* "Remind me the evening before" on a waste zone page, for a device: shown only when this browser
   already has a push subscription (made on the alerts or air page; the same service worker scope);
   saves the zone — never the address — on that subscription (POST …/notifications/push-subscriptions
   with `waste_zones`), and keeps the device's token like the alerts page does. */
(function () {
  "use strict";
  var box = document.getElementById("waste-reminder");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  var d = box.dataset;
  var button = document.getElementById("waste-reminder-button");
  var status = document.getElementById("waste-reminder-status");
  var settingsLink = document.getElementById("waste-reminder-settings");
  var storeKey = "citypocket-notifications-" + d.city;

  function saved() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "null"); } catch (e) { return null; }
  }

  function showOn(data) {
    status.textContent = d.msgOn;
    button.hidden = true;
    if (data && data.settings_url && data.settings_url.charAt(0) === "/") {
      settingsLink.href = data.settings_url;
      settingsLink.hidden = false;
    }
  }

  var scope = new URL("push/", new URL(d.sw, window.location.href)).pathname;
  navigator.serviceWorker.getRegistration(scope).then(function (registration) {
    return registration ? registration.pushManager.getSubscription() : null;
  }).then(function (subscription) {
    if (!subscription) return;  // no push on this device: nothing to offer here
    box.hidden = false;
    var mine = saved();
    if (mine && mine.waste_zones && mine.waste_zones.indexOf(d.zone) !== -1) showOn(mine);
    button.addEventListener("click", function () {
      button.disabled = true;
      var body = subscription.toJSON();
      body.language = document.documentElement.lang === "en" ? "en" : "fr";
      body.themes = ["waste"];
      body.waste_zones = [d.zone];
      var headers = { "Content-Type": "application/json" };
      if (d.csrf) headers["X-CSRFToken"] = d.csrf;
      fetch(d.subscribeUrl, { method: "POST", headers: headers, body: JSON.stringify(body) }).then(function (response) {
        if (!response.ok) throw new Error(d.msgFailed);
        return response.json();
      }).then(function (data) {
        var kept = { token: data.token, settings_url: data.settings_url, waste_zones: data.waste_zones };
        try { window.localStorage.setItem(storeKey, JSON.stringify(kept)); } catch (e) { /* storage refused */ }
        showOn(kept);
      }).catch(function () {
        status.textContent = d.msgFailed;
      }).then(function () { button.disabled = false; });
    });
  }).catch(function () { /* the page works without it */ });
})();
