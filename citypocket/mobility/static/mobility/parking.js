/* Parking page enhancements: live numbers refreshed from the API every 60 s, a Leaflet map of the
   car parks (and traffic counting points) where a tap sets the destination, and "use my location".
   Without JavaScript the page is a plain list and a GET form. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-free]");
  var t = script ? script.dataset : {};
  var el = document.getElementById("map");
  var form = document.getElementById("search-form");
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var placeInput = document.getElementById("id_place");
  var queryInput = document.getElementById("id_q");
  var suggestions = document.getElementById("destinations");
  var status = document.getElementById("location-status");
  var REFRESH_MS = 60000;

  function hhmm(iso) {
    var d = new Date(iso);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function setPosition(lat, lon, message) {
    if (!latInput || !lonInput) return;
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (placeInput) placeInput.value = "";
    if (queryInput) queryInput.value = "";
    if (status && message) status.textContent = message;
  }

  /* Typing a destination: the position of an earlier tap is dropped, and the city's addresses
     matching the words are added to the suggestions (the places of the city are there already). */
  if (queryInput && suggestions && script && script.dataset.addresses) {
    var timer = null;
    var asked = "";
    queryInput.addEventListener("input", function () {
      if (latInput) latInput.value = "";
      if (lonInput) lonInput.value = "";
      if (placeInput) placeInput.value = "";
      if (status) status.textContent = "";
      window.clearTimeout(timer);
      var text = queryInput.value.trim();
      if (text.length < 3 || text === asked) return;
      timer = window.setTimeout(function () {
        asked = text;
        fetch(script.dataset.addresses + "?limit=6&q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) {
            Array.prototype.forEach.call(suggestions.querySelectorAll("option[data-address]"), function (o) { o.remove(); });
            var found = document.createDocumentFragment();  /* best first, before the places */
            (data.items || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              option.setAttribute("data-address", "");
              found.appendChild(option);
            });
            suggestions.insertBefore(found, suggestions.firstChild);
          })
          .catch(function () { /* the places stay suggested; the server searches the text anyway */ });
      }, 250);
    });
  }

  /* "Use my location" is only shown when the browser can do it. */
  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    locate.parentElement.hidden = false;
    locate.addEventListener("click", function () {
      if (status) status.textContent = t.locating || "";
      navigator.geolocation.getCurrentPosition(
        function (pos) { setPosition(pos.coords.latitude, pos.coords.longitude, t.located); },
        function () { if (status) status.textContent = t.noLocation || ""; },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    });
  }

  /* Refresh the numbers in every element carrying data-car-park. */
  function render(feature) {
    var p = feature.properties || {};
    var items = document.querySelectorAll('[data-car-park="' + feature.id + '"]');
    Array.prototype.forEach.call(items, function (item) {
      var st = item.querySelector('[data-role="status"]');
      var fresh = item.querySelector('[data-role="fresh"]');
      if (st) {
        st.className = "cp-status cp-" + p.status + (p.stale ? " stale" : "");
        st.textContent = "";
        if (p.available !== null && p.available !== undefined) {
          var strong = document.createElement("strong");
          strong.setAttribute("data-role", "available");
          strong.textContent = String(p.available);
          st.appendChild(strong);
          st.appendChild(document.createTextNode(" " + (t.free || "") + " · "));
        }
        st.appendChild(document.createTextNode(p.status_label || p.status));
      }
      if (fresh) {
        fresh.className = "cp-fresh" + (p.stale ? " stale" : "");
        fresh.textContent = p.observed_at ? (p.stale ? (t.noReading || "") + " (" + hhmm(p.observed_at) + ")"
          : (t.updated || "") + " " + hhmm(p.observed_at)) : (t.noReading || "");
      }
      item.classList.toggle("cp-is-stale", !!p.stale);
    });
  }

  var map = null;
  var markers = {};
  var destination = null;
  if (el && window.cityPocketMap) window.cityPocketMap(el, function (L) {
    el.hidden = false;  /* the map is shown only when it can work; the list says the same */
    el.setAttribute("role", "application");
    el.setAttribute("aria-label", el.dataset.labelMap || "");
    map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], 14);
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    map.on("click", function (e) {
      setPosition(e.latlng.lat, e.latlng.lng, t.picked);
      if (destination) destination.setLatLng(e.latlng); else destination = L.marker(e.latlng).addTo(map);
    });
    if (latInput && lonInput && latInput.value && lonInput.value) {
      destination = L.marker([parseFloat(latInput.value), parseFloat(lonInput.value)]).addTo(map);
    }
    fetch(el.dataset.traffic, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        (data.features || []).forEach(function (f) {
          if (!f.geometry) return;
          var c = f.geometry.coordinates;
          L.circleMarker([c[1], c[0]], { radius: 6, className: "cp-traffic cp-traffic-" + f.properties.congestion })
            .bindTooltip(f.properties.name + " · " + f.properties.congestion_label).addTo(map);
        });
      })
      .catch(function () { /* the list is enough */ });
    refresh(true);  /* the car parks on the map that has just been drawn */
  });

  function refresh(first) {
    if (!el) return;
    fetch(el.dataset.api, { headers: { Accept: "application/geo+json" }, cache: "no-cache" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var bounds = [];
        (data.features || []).forEach(function (f) {
          render(f);
          if (!map) return;
          var c = f.geometry.coordinates;
          var p = f.properties;
          var text = p.name + (p.available !== null ? " · " + p.available + " " + (t.free || "") : "") + " · " + p.status_label;
          var cls = "cp-marker cp-" + p.status + (p.stale ? " cp-marker-stale" : "");
          if (markers[f.id]) {
            markers[f.id].setTooltipContent(text);
            markers[f.id].setStyle({ className: cls });
          } else {
            markers[f.id] = L.circleMarker([c[1], c[0]], { radius: 9, className: cls }).bindTooltip(text).addTo(map);
          }
          bounds.push([c[1], c[0]]);
        });
        if (first && map && bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
      })
      .catch(function () { /* keep the numbers shown; they carry their time */ });
  }
  refresh(true);
  window.setInterval(function () { if (!document.hidden) refresh(false); }, REFRESH_MS);
  /* After a search the results come first; the focus goes to their heading for keyboard and screen readers. */
  var resultsTitle = document.getElementById("results-title");
  if (form && window.location.search && resultsTitle) {
    resultsTitle.focus();
    resultsTitle.scrollIntoView({ block: "start" });
  }
})();
