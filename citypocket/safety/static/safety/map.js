/* A Leaflet map of a GeoJSON layer (safe places, filmed zones); the list beside it says the same. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.cityPocketMap) return;
  window.cityPocketMap(el, function (L) {
    var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 13);
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    fetch(el.dataset.geojson, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          onEachFeature: function (feature, lyr) {
            var p = feature.properties || {};
            var div = document.createElement("div");
            var strong = document.createElement("strong");
            strong.textContent = p.name || "";
            div.appendChild(strong);
            var line = document.createElement("p");
            line.textContent = p.address || p.operator || "";
            div.appendChild(line);
            lyr.bindPopup(div);
          }
        }).addTo(map);
        if (data.features && data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 15, padding: [20, 20] });
      })
      .catch(function () { /* the list is enough */ });
  });
})();
