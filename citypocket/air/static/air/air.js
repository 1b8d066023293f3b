/* Air page enhancement: a Leaflet map of the stations, coloured by their latest European index.
   The list of stations on the page stays the reference: the map only repeats it. */
(function () {
  "use strict";
  var el = document.getElementById("air-map");
  if (!el || typeof L === "undefined") return;
  el.hidden = false;
  el.setAttribute("role", "region");
  el.setAttribute("aria-label", el.dataset.label || "");
  var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 11);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 18 }).addTo(map);
  fetch(el.dataset.api, { headers: { Accept: "application/json" } })
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
})();
