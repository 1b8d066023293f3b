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
        text.textContent = isFr ? "Dépassement\u00a0: " + euros.format(-left) + " de trop sur " + euros.format(amount)
                                : "Over budget by " + euros.format(-left) + " of " + euros.format(amount);
      } else {
        text.textContent = isFr ? "Budget restant\u00a0: " + euros.format(left) + " sur " + euros.format(amount)
                                : "Budget left: " + euros.format(left) + " of " + euros.format(amount);
      }
    });
  }
  // Rules that count projects: say how many are ticked, and warn at the limit and beyond it, before
  // the server has to refuse the ballot.
  var counter = document.getElementById("ballot-count");
  var most = parseInt(form.dataset.maxProjects, 10);
  var least = parseInt(form.dataset.minProjects, 10);
  function count() {
    if (!counter || isNaN(most)) { return; }
    var ticked = form.querySelectorAll("input[type=checkbox][name=project]:checked").length;
    var message;
    if (ticked > most) {
      message = isFr ? "Trop de projets : " + ticked + " cochés, " + most + " au plus. Décochez-en " + (ticked - most) + "."
                     : "Too many projects: " + ticked + " ticked, at most " + most + ". Untick " + (ticked - most) + ".";
    } else if (ticked === most) {
      message = isFr ? "Vous avez choisi " + ticked + " projets sur " + most + " possibles : c’est le maximum."
                     : "You have chosen " + ticked + " of " + most + " projects: that is the most you can choose.";
    } else if (!isNaN(least) && ticked < least) {
      message = isFr ? ticked + " projet(s) choisi(s) ; il en faut au moins " + least + "."
                     : ticked + " project(s) chosen; choose at least " + least + ".";
    } else {
      message = isFr ? ticked + " projet(s) choisi(s) sur " + most + " au plus."
                     : ticked + " of at most " + most + " projects chosen.";
    }
    counter.hidden = false;
    counter.textContent = message;
    counter.classList.toggle("over", ticked > most);
  }
  form.addEventListener("change", function () { update(); count(); });
  count();
  update();
})();
