// City home: the next waste collection of the address saved on the waste page, if any.
// The waste page keeps {"zone": "<slug>", "label": "..."} under "citypocket.waste.<city>"; the slot stays
// hidden without it, when the API answers anything but a collection, or offline.
(function () {
  "use strict";
  var slot = document.getElementById("next-collection");
  if (!slot || !window.fetch || !window.localStorage) { return; }
  var city = slot.getAttribute("data-city");
  var saved;
  try { saved = JSON.parse(window.localStorage.getItem("citypocket.waste." + city) || "null"); } catch (e) { return; }
  if (!saved || typeof saved.zone !== "string" || !saved.zone) { return; }
  var url = "/api/v1/cities/" + encodeURIComponent(city) + "/waste/collections?limit=1&zone=" +
    encodeURIComponent(saved.zone);
  fetch(url, { headers: { Accept: "application/json" } }).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (data) {
    var item = data && data.items && data.items[0];
    var when = item && (item.date || item.day || item.starts_at);
    if (!when) { return; }
    var what = item.label || item.stream_label || item.stream || "";
    var time = slot.querySelector("[data-when]");
    time.setAttribute("datetime", when);
    var parsed = new Date(when.length === 10 ? when + "T12:00:00" : when);
    time.textContent = isNaN(parsed) ? when : parsed.toLocaleDateString(document.documentElement.lang || "fr",
      { weekday: "long", day: "numeric", month: "long" });
    slot.querySelector("[data-what]").textContent = what + (saved.label ? " (" + saved.label + ")" : "");
    slot.hidden = false;
  }).catch(function () { /* offline or no waste API: the slot stays hidden */ });
})();
