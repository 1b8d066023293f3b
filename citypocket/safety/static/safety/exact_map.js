/* Staff only (admin): the exact points of a city's reports, read from the page (already audited). */
(function () {
  "use strict";
  var el = document.getElementById("exact-map");
  var data = document.getElementById("exact-points");
  if (!el || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 13);
  L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 6 }).addTo(map);
    var link = document.createElement("a");
    link.href = "../" + p.id + "/change/";
    link.textContent = p.category + " · " + p.status;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
})();
