/* The alert banner's loader. Filtering the banner on this device (static/notifications/alerts-filter.js)
   only matters once a person saved a commune or a position here; until then every alert shows, and a
   first visit does not download the filter. */
(function () {
  "use strict";
  var region = document.querySelector(".alert-banner-region");
  var script = document.currentScript;
  if (!region || !script || document.getElementById("alerts-position")) return;  /* the alerts page loads it */
  var city = region.dataset.city, saved = false;
  try {
    saved = ["citypocket.alerts.commune.", "citypocket.alerts.position.", "citypocket.water."].some(function (key) {
      return window.localStorage.getItem(key + city) !== null;
    });
  } catch (e) { /* storage refused: nothing can be saved either */ }
  if (!saved) return;
  var filter = document.createElement("script");
  filter.src = script.dataset.filter;
  filter.nonce = script.nonce;
  document.head.appendChild(filter);
})();
