/* Dataset page enhancements: a Leaflet map of the places of the first rows (read from the page's
   JSON data block; the preview table stays the reference) and a button that copies the API example. */
(function () {
  "use strict";
  var el = document.getElementById("dataset-map");
  var source = document.getElementById("dataset-map-data");
  if (!el || !source || !window.cityPocketMap) return;
  var data;
  try { data = JSON.parse(source.textContent); } catch (error) { return; }
  window.cityPocketMap(el, function (L) {
    var map = window.cityPocketMap.region(L, el, 12, 18);
    var layer = L.geoJSON(data, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 8, weight: 2, color: "#1b1b1b", fillColor: "#1f4e79", fillOpacity: 0.8 });
      },
      style: function () { return { weight: 2, color: "#1f4e79", fillOpacity: 0.25 }; },
      onEachFeature: function (feature, item) {
        var text = document.createElement("span");
        text.textContent = (feature.properties && feature.properties.label) || "";
        if (text.textContent) item.bindPopup(text);
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  });
})();

(function () {
  "use strict";
  if (!navigator.clipboard) return;
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copy + "-status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = button.dataset.done;
      }, function () {
        field.select();
        if (status) status.textContent = button.dataset.failed;
      });
    });
  });
})();
