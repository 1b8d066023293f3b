/* Places page enhancements: a Leaflet map of the listed places (the list says the same) and
   "Near me", which fills the position fields from the browser's location and sends the form.
   Without JavaScript the page is the list and a GET form. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-locating]");
  var t = script ? script.dataset : {};
  var form = document.getElementById("place-filters") || document.getElementById("agenda-filters");
  var button = document.getElementById("near-me");
  var status = document.getElementById("near-me-status");
  if (form && button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (status) status.textContent = t.locating || "";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.submit();
      }, function () { if (status) status.textContent = t.noLocation || ""; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }
  var el = document.getElementById("map");
  var cards = document.querySelectorAll(".ci-places > li[data-lat]");
  if (!el || !cards.length || !window.cityPocketMap) return;
  window.cityPocketMap(el, function (L) {
    var map = window.cityPocketMap.region(L, el, 14, 19);
    var bounds = [];
    Array.prototype.forEach.call(cards, function (card) {
      var at = [parseFloat(card.dataset.lat), parseFloat(card.dataset.lon)];
      var link = card.querySelector("h3 a");
      var div = document.createElement("div");
      var a = document.createElement("a");
      a.href = link ? link.href : "#";
      a.textContent = link ? link.textContent : "";
      div.appendChild(a);
      var state = card.querySelector(".ci-state");
      if (state) { var p = document.createElement("p"); p.textContent = state.textContent; div.appendChild(p); }
      L.marker(at, { keyboard: false }).addTo(map).bindPopup(div);
      bounds.push(at);
    });
    map.fitBounds(bounds, { maxZoom: 16, padding: [20, 20] });
  });
})();
