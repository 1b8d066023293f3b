/* The staff desk's area drawing: each tap on the map adds a corner; "Undo" removes the last one,
   "Clear" removes them all. The GeoJSON textarea under the map stays the reference: it is written at
   each change (a Polygon with its ring closed, from 3 corners) and, typed or pasted into, redraws the
   map, so keyboard and screen-reader users draw the same area without the map. */
(function () {
  "use strict";
  function round(value) { return Math.round(value * 1e6) / 1e6; }
  function fill(template, n) { return (template || "").replace("{n}", String(n)); }

  document.querySelectorAll(".area-draw").forEach(function (box) {
    var text = document.getElementById(box.dataset.mapFor);
    var status = box.querySelector(".draw-status");
    var el = box.querySelector(".area-map");
    if (!text || !el || !window.cityPocketMap) return;
    var points = [];  /* [lat, lon] corners, the ring not closed */
    var map = null, shape = null, dots = null, L = null;

    function read() {
      /* The corners of the textarea's polygon (outer ring), or null when it is not one. */
      var value = text.value.trim();
      if (!value) return [];
      try {
        var geometry = JSON.parse(value);
        var ring = geometry && geometry.type === "Polygon" && geometry.coordinates && geometry.coordinates[0];
        if (!Array.isArray(ring) || ring.length < 4) return null;
        var corners = ring.slice(0, -1).map(function (p) { return [Number(p[1]), Number(p[0])]; });
        return corners.every(function (c) { return isFinite(c[0]) && isFinite(c[1]); }) ? corners : null;
      } catch (e) { return null; }
    }
    function write() {
      if (points.length < 3) { text.value = ""; return; }
      var ring = points.map(function (c) { return [round(c[1]), round(c[0])]; });
      ring.push(ring[0].slice());
      text.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    }
    function say(invalid) {
      if (!status) return;
      if (invalid) status.textContent = box.dataset.msgInvalid;
      else if (!points.length) status.textContent = box.dataset.msgNone;
      else if (points.length < 3) status.textContent = fill(box.dataset.msgPoints, points.length);
      else status.textContent = fill(box.dataset.msgArea, points.length);
    }
    function draw() {
      if (!map) return;
      if (shape) { shape.remove(); shape = null; }
      dots.clearLayers();
      points.forEach(function (c) { L.circleMarker(c, { radius: 6, weight: 2 }).addTo(dots); });
      if (points.length >= 3) shape = L.polygon(points, { weight: 3 }).addTo(map);
      else if (points.length === 2) shape = L.polyline(points, { weight: 3, dashArray: "6 6" }).addTo(map);
    }
    function changed() { write(); draw(); say(false); }

    box.querySelector('[data-draw="undo"]').addEventListener("click", function () { points.pop(); changed(); });
    box.querySelector('[data-draw="clear"]').addEventListener("click", function () { points = []; changed(); });
    text.addEventListener("input", function () {
      var corners = read();
      if (corners === null) { say(true); return; }
      points = corners;
      draw();
      say(false);
    });

    box.hidden = false;  /* without scripts the textarea alone is the field */
    points = read() || [];
    say(read() === null);
    window.cityPocketMap(el, function (leaflet) {
      L = leaflet;
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", box.dataset.label || "");
      map = L.map(el, { doubleClickZoom: false })
        .setView([parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)], 12);
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 19 }).addTo(map);
      dots = L.layerGroup().addTo(map);
      map.on("click", function (event) {
        points.push([event.latlng.lat, event.latlng.lng]);
        changed();
      });
      draw();
      if (points.length >= 3) map.fitBounds(L.latLngBounds(points), { padding: [20, 20] });
    });
  });
})();
