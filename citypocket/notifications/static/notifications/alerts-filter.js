/* The alert banner, filtered on this device: the page lists the alerts in force in the city (the same
   page for everyone, so it stays cacheable), each with its communes (those its drawn area touches
   included) and its drawn area. When this device saved a position (the alerts page's "Use my
   position": a point rounded to about 100 m, kept in this browser only), an alert with a drawn area
   that does not reach it (300 m of margin, as the server's rule) is hidden; otherwise, when a commune
   is saved (the alerts page's "My commune", or the water page), alerts limited to other communes are
   hidden. A line shows the hidden ones again. Alerts for the whole city always show; with nothing
   saved, or without scripts, every alert shows with the area it concerns. */
(function () {
  "use strict";
  if (window.cityPocketBanner) return;  /* loaded by banner.js once something is saved, and by the alerts page */
  window.cityPocketBanner = true;
  var KEY = "citypocket.alerts.commune.";
  function savedCommune(city) {
    try {
      var mine = JSON.parse(window.localStorage.getItem(KEY + city) || "null");
      if (mine && typeof mine.code === "string") return mine.code;  /* "" = the whole city, chosen here */
      return window.localStorage.getItem("citypocket.water." + city) || "";
    } catch (e) { return ""; }
  }

  var PLACE = "citypocket.alerts.position.";
  var MARGIN_M = 300;
  function savedPosition(city) {
    try {
      var point = JSON.parse(window.localStorage.getItem(PLACE + city) || "null");
      if (point && isFinite(point.lat) && isFinite(point.lon)) return point;
    } catch (e) { /* nothing readable saved */ }
    return null;
  }

  /* Whether the point is in the drawn area (rings of [lon, lat]; outside its holes) or near its edges,
     on a flat projection in metres around the point (enough at a city's scale). */
  function reaches(rings, point) {
    var kx = 111320 * Math.cos(point.lat * Math.PI / 180), ky = 110540;
    function xy(p) { return [(p[0] - point.lon) * kx, (p[1] - point.lat) * ky]; }
    function inside(ring) {
      var odd = false;
      for (var i = 0; i + 1 < ring.length; i++) {
        var a = xy(ring[i]), b = xy(ring[i + 1]);
        if ((a[1] > 0) !== (b[1] > 0) && 0 < a[0] + (0 - a[1]) * (b[0] - a[0]) / (b[1] - a[1])) odd = !odd;
      }
      return odd;
    }
    function near(ring) {
      for (var i = 0; i + 1 < ring.length; i++) {
        var a = xy(ring[i]), b = xy(ring[i + 1]), dx = b[0] - a[0], dy = b[1] - a[1];
        var t = dx || dy ? Math.max(0, Math.min(1, -(a[0] * dx + a[1] * dy) / (dx * dx + dy * dy))) : 0;
        if (Math.hypot(a[0] + t * dx, a[1] + t * dy) <= MARGIN_M) return true;
      }
      return false;
    }
    if (inside(rings[0]) && !rings.slice(1).some(inside)) return true;
    return rings.some(near);
  }

  function outside(item, point) {
    try {
      var rings = JSON.parse(item.dataset.polygon);
      return Array.isArray(rings) && rings.length > 0 && !reaches(rings, point);
    } catch (e) { return false; }  /* an area it cannot read: the alert shows */
  }

  function filter(region) {
    var known = (region.dataset.cityCommunes || "").split(" ").filter(Boolean);
    var saved = savedCommune(region.dataset.city);
    var point = savedPosition(region.dataset.city);
    var items = region.querySelectorAll("li[data-communes]");
    var hidden = [];
    items.forEach(function (item) {
      var communes = item.dataset.communes.split(" ").filter(Boolean);
      if (point && item.dataset.polygon) item.hidden = outside(item, point);
      else item.hidden = Boolean(saved && known.indexOf(saved) >= 0 && communes.length && communes.indexOf(saved) < 0);
      if (item.hidden) hidden.push(item);
    });
    var line = region.querySelector(".alerts-elsewhere");
    line.hidden = !hidden.length;
    if (!hidden.length) return;
    line.querySelector("span").textContent = hidden.length === 1 ? line.dataset.one
      : line.dataset.many.replace("{n}", String(hidden.length));
    line.querySelector("button").onclick = function () {
      hidden.forEach(function (item) { item.hidden = false; });
      line.hidden = true;
      hidden[0].querySelector("a").focus();
    };
  }

  var region = document.querySelector(".alert-banner-region");
  if (region) filter(region);

  /* The alerts page: "Use my position", opt-in, a rounded point kept in this browser only. */
  var place = document.getElementById("alerts-position");
  if (place && navigator.geolocation) {
    var use = place.querySelector("[data-position=use]"), forget = place.querySelector("[data-position=forget]");
    var said = place.querySelector("[role=status]");
    var show = function () {
      var kept = Boolean(savedPosition(place.dataset.city));
      forget.hidden = !kept;
      said.textContent = kept ? place.dataset.msgSaved : "";
    };
    place.hidden = false;
    show();
    use.addEventListener("click", function () {
      said.textContent = place.dataset.msgWait;
      navigator.geolocation.getCurrentPosition(function (found) {
        var point = { lat: Math.round(found.coords.latitude * 1000) / 1000,
                      lon: Math.round(found.coords.longitude * 1000) / 1000 };
        try { window.localStorage.setItem(PLACE + place.dataset.city, JSON.stringify(point)); } catch (e) { /* refused */ }
        show();
        if (region) filter(region);
      }, function () { said.textContent = place.dataset.msgFailed; }, { maximumAge: 600000, timeout: 15000 });
    });
    forget.addEventListener("click", function () {
      try { window.localStorage.removeItem(PLACE + place.dataset.city); } catch (e) { /* nothing kept */ }
      show();
      said.textContent = place.dataset.msgForgotten;
      if (region) filter(region);
      use.focus();
    });
  }

  /* The alerts page: "My commune", kept in this browser only. */
  var form = document.getElementById("alerts-commune");
  if (!form) return;
  var select = form.querySelector("select");
  var status = form.querySelector("[role=status]");
  select.value = savedCommune(form.dataset.city);
  if (select.selectedIndex < 0) select.value = "";
  form.hidden = false;
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    try {
      window.localStorage.setItem(KEY + form.dataset.city, JSON.stringify({ code: select.value, name: option.text }));
    } catch (e) { /* storage refused: every alert keeps showing */ }
    if (status) status.textContent = select.value ? form.dataset.msgSaved : form.dataset.msgAll;
    if (region) filter(region);
  });
})();
