// Waste collection: the chosen address is kept in this browser only (localStorage), never sent to be stored.
(function () {
  "use strict";
  var KEY = "citypocket.waste.";
  function read(city) {
    try { return JSON.parse(window.localStorage.getItem(KEY + city) || "null"); } catch (e) { return null; }
  }
  document.querySelectorAll("a.choose-address").forEach(function (link) {
    link.addEventListener("click", function () {
      var box = document.getElementById("saved-address");
      try {
        window.localStorage.setItem(KEY + box.dataset.city, JSON.stringify(
          { label: link.dataset.label, zone: link.dataset.zone, href: link.getAttribute("href") }));
      } catch (e) { /* storage refused: the page works without it */ }
    });
  });
  var box = document.getElementById("saved-address");
  if (box) {
    var saved = read(box.dataset.city);
    if (saved && saved.href && saved.href.charAt(0) === "/") {
      document.getElementById("saved-label").textContent = saved.label;
      document.getElementById("saved-link").setAttribute("href", saved.href);
      box.hidden = false;
      document.getElementById("forget-address").addEventListener("click", function () {
        window.localStorage.removeItem(KEY + box.dataset.city);
        box.hidden = true;
      });
    }
  }
  var here = document.getElementById("saved-here");
  if (here) {
    var mine = read(here.dataset.city);
    if (mine && mine.zone === here.dataset.zone) {
      here.querySelector("#saved-label").textContent = mine.label;
      here.hidden = false;
    }
  }
})();
