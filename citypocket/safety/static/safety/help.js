/* Help now: optionally re-sort the safe places by the visitor's position (never sent anywhere). */
(function () {
  "use strict";
  var list = document.getElementById("safe-places");
  var button = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (!list || !button || !("geolocation" in navigator)) return;
  document.documentElement.classList.add("has-js");
  function metres(lat1, lon1, lat2, lon2) {
    var r = 6371000, rad = Math.PI / 180;
    var dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * r * Math.asin(Math.sqrt(a));
  }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      var items = Array.prototype.slice.call(list.children);
      items.forEach(function (li) {
        var d = Math.round(metres(pos.coords.latitude, pos.coords.longitude, parseFloat(li.dataset.lat), parseFloat(li.dataset.lon)));
        li.dataset.distance = d;
        var span = li.querySelector(".distance");
        if (span) span.textContent = d + " m";
      });
      items.sort(function (a, b) {
        return (b.dataset.open - a.dataset.open) || (a.dataset.distance - b.dataset.distance);
      });
      items.forEach(function (li) { list.appendChild(li); });
      if (status) status.textContent = button.dataset.done || "OK";
    }, function () {
      if (status) status.textContent = "—";
    }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
  });
})();
