/* Air page enhancement: a Leaflet map of the stations, coloured by their latest European index.
   The list of stations on the page stays the reference: the map only repeats it. */
(function () {
  "use strict";
  var el = document.getElementById("air-map");
  if (!el || !window.cityPocketMap) return;
  window.cityPocketMap(el, function (L) {
    var map = window.cityPocketMap.region(L, el, 11, 18);
    fetch(el.dataset.api, { headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        var bounds = [];
        (data.features || []).forEach(function (feature) {
          if (!feature.geometry) return;
          var p = feature.properties || {};
          var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
          bounds.push(latlng);
          var marker = L.circleMarker(latlng, {
            radius: 10, weight: 2, color: "#333", fillOpacity: p.stale ? 0.3 : 0.9,
            fillColor: p.stale ? "#DDDDDD" : (p.eaqi && p.eaqi.colour) || "#DDDDDD"
          }).addTo(map);
          var text = document.createElement("span");
          text.textContent = p.name + " — " + ((p.eaqi && p.eaqi.label) || "");
          marker.bindPopup(text);
        });
        if (bounds.length > 1) map.fitBounds(bounds, { padding: [20, 20] });
      })
      .catch(function () { /* the list below already shows every station */ });
  });
})();

/* Air alerts on this device (web push): offered only when the browser can do it and the server
   has a VAPID key. The subscription's secret token is kept in this browser to unsubscribe. */
(function () {
  "use strict";
  var box = document.getElementById("air-push");
  if (!box || !("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var button = document.getElementById("air-push-button");
  var status = document.getElementById("air-push-status");
  var d = box.dataset;
  var storeKey = "citypocket-air-push-" + d.city;

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function activeRegistration() {
    var scope = new URL("push/", new URL(d.sw, window.location.href)).pathname;
    return navigator.serviceWorker.register(d.sw, { scope: scope }).then(function (registration) {
      if (registration.active) return registration;
      return new Promise(function (resolve) {
        var worker = registration.installing || registration.waiting;
        worker.addEventListener("statechange", function () {
          if (worker.state === "activated") resolve(registration);
        });
      });
    });
  }

  function render() {
    var on = Boolean(window.localStorage.getItem(storeKey));
    button.textContent = on ? d.labelStop : d.labelStart;
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  function subscribe(publicKey) {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { var denied = new Error(d.msgDenied); denied.friendly = true; throw denied; }
      return activeRegistration();
    }).then(function (registration) {
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      body.language = document.documentElement.lang === "en" ? "en" : "fr";
      var headers = { "Content-Type": "application/json" };
      if (d.csrf) headers["X-CSRFToken"] = d.csrf;  /* signed in: the subscription joins the account */
      return fetch(d.subscribeUrl, { method: "POST", headers: headers, body: JSON.stringify(body) });
    }).then(function (response) {
      if (!response.ok) throw new Error(d.msgFailed);
      return response.json();
    }).then(function (data) {
      window.localStorage.setItem(storeKey, data.token);
      status.textContent = d.msgOn;
    });
  }

  function unsubscribe() {
    var token = window.localStorage.getItem(storeKey);
    return fetch(d.unsubscribeUrl.replace("TOKEN", token), { method: "DELETE" }).then(function () {
      window.localStorage.removeItem(storeKey);
      status.textContent = d.msgOff;
      return activeRegistration().then(function (registration) {
        return registration.pushManager.getSubscription();
      }).then(function (subscription) { if (subscription) subscription.unsubscribe(); });
    });
  }

  fetch(d.keyUrl).then(function (response) { return response.ok ? response.json() : {}; }).then(function (data) {
    if (!data.public_key) return;
    box.hidden = false;
    render();
    button.addEventListener("click", function () {
      button.disabled = true;
      var action = window.localStorage.getItem(storeKey) ? unsubscribe() : subscribe(data.public_key);
      action.catch(function (error) { status.textContent = error && error.friendly ? error.message : d.msgFailed; })
        .then(function () { button.disabled = false; render(); });
    });
  }).catch(function () { /* alerts by e-mail remain available */ });
})();
