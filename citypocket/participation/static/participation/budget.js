// Live "budget left" bar on the ballot form. Without JavaScript the form still works: the
// server validates the ballot and explains what is wrong.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var lang = document.documentElement.lang || "fr";
  var euros = new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var isFr = lang.indexOf("fr") === 0;
  function update() {
    form.querySelectorAll("fieldset.pot").forEach(function (pot, index) {
      var amount = parseInt(pot.dataset.amount, 10);
      var spent = 0;
      pot.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
        spent += parseInt(box.dataset.cost, 10);
      });
      var left = amount - spent;
      var bar = pot.querySelector(".left-bar");
      var text = pot.querySelector(".left-text");
      bar.value = Math.min(spent, amount);
      var over = left < 0 && form.dataset.rule !== "approval" && form.dataset.rule !== "min_max_projects";
      pot.querySelector(".budget-left").classList.toggle("over", over);
      if (over) {
        text.textContent = isFr ? "Dépassement : " + euros.format(-left) + " de trop sur " + euros.format(amount)
                                : "Over budget by " + euros.format(-left) + " of " + euros.format(amount);
      } else {
        text.textContent = isFr ? "Budget restant : " + euros.format(left) + " sur " + euros.format(amount)
                                : "Budget left: " + euros.format(left) + " of " + euros.format(amount);
      }
    });
  }
  form.addEventListener("change", update);
  update();
})();
