/* The alert banner, filtered on this device: the page lists the alerts in force in the city (the same
   page for everyone, so it stays cacheable), each with its communes. When a commune is saved on this
   device (the alerts page's "My commune", or the water page), alerts limited to other communes are
   hidden, with a line that shows them again. Alerts for the whole city always show; without a saved
   commune, or without scripts, every alert shows with the area it concerns. */
(function () {
  "use strict";
  if (window.cityPocketBanner) return;  /* included by the banner and by the alerts page */
  window.cityPocketBanner = true;
  var KEY = "citypocket.alerts.commune.";
  function savedCommune(city) {
    try {
      var mine = JSON.parse(window.localStorage.getItem(KEY + city) || "null");
      if (mine && typeof mine.code === "string") return mine.code;  /* "" = the whole city, chosen here */
      return window.localStorage.getItem("citypocket.water." + city) || "";
    } catch (e) { return ""; }
  }

  function filter(region) {
    var known = (region.dataset.cityCommunes || "").split(" ").filter(Boolean);
    var saved = savedCommune(region.dataset.city);
    var items = region.querySelectorAll("li[data-communes]");
    var hidden = [];
    items.forEach(function (item) {
      var communes = item.dataset.communes.split(" ").filter(Boolean);
      item.hidden = Boolean(saved && known.indexOf(saved) >= 0 && communes.length && communes.indexOf(saved) < 0);
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
