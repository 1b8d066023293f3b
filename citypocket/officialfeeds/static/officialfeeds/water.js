// The water page: the chosen commune is kept in this browser only (localStorage), never stored by the server.
(function () {
  "use strict";
  var form = document.getElementById("commune-form");
  if (!form) { return; }
  var key = "citypocket.water." + form.dataset.city;
  var select = document.getElementById("id_commune");
  var saved = null;
  try { saved = window.localStorage.getItem(key); } catch (e) { saved = null; }
  var known = Array.prototype.some.call(select.options, function (option) { return option.value === saved; });
  if (form.dataset.asked === "0" && saved && known && saved !== select.value) {
    window.location.replace("?commune=" + encodeURIComponent(saved));
    return;
  }
  try { window.localStorage.setItem(key, select.value); } catch (e) { /* storage refused: the page works without it */ }
  select.addEventListener("change", function () {
    try { window.localStorage.setItem(key, select.value); } catch (e) { /* idem */ }
  });
})();
