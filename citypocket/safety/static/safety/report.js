/* Report form: optionally pick the place on a map (sets the hidden lat/lon); the street field works without it. */
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  var lat = document.getElementById("id_lat");
  var lon = document.getElementById("id_lon");
  var status = document.getElementById("report-map-status");
  if (!el || !lat || !lon || !window.cityPocketMap) return;
  window.cityPocketMap(el, function (L) {
    el.classList.remove("hidden");
    var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 14);
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    var marker = null;
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      if (marker) { marker.setLatLng(event.latlng); } else { marker = L.marker(event.latlng).addTo(map); }
      if (status) status.textContent = el.dataset.chosen || "";
    });
  });
})();
