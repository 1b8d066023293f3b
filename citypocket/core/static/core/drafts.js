/* Drafts written offline: a form marked data-outbox, sent while there is no connection, is kept on
   this device (outbox.js) instead of being lost; every page lists what waits, sends it when the
   connection returns, and shows what was sent (a report's receipt code included). Without
   JavaScript, or in a browser without IndexedDB and WebCrypto, the forms post as usual. */
(function () {
  "use strict";
  var Outbox = window.CityPocketOutbox;
  var panel = document.getElementById("outbox");
  var list = document.getElementById("outbox-list");
  var status = document.getElementById("outbox-status");
  if (!Outbox || !panel || !list || !status || !Outbox.supported()) return;
  var t = panel.dataset;
  var lang = document.documentElement.lang || "fr";

  function time(ms) {
    return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(ms));
  }

  function say(text) {
    status.textContent = "";
    // A fresh text node, a moment later, so that screen readers announce the same words twice too.
    setTimeout(function () { status.textContent = text; }, 50);
  }

  function csrf() {
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    if (cookie) return cookie.slice("csrftoken=".length);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function button(label, onClick) {
    var b = el("button", { type: "button", "class": "secondary" }, label);
    b.addEventListener("click", onClick);
    return b;
  }

  function item(draft, answer) {
    var li = el("li", { "class": "card outbox-" + draft.state, "data-state": draft.state });
    li.appendChild(el("h3", {}, draft.label));
    var when = draft.state === "sent" ? t.sentAt : t.keptAt;
    var state = { waiting: t.waiting, sent: t.sent, refused: t.refused, signin: t.signin }[draft.state] || t.waiting;
    var line = el("p");
    line.appendChild(el("strong", { "class": "outbox-state" }, state));
    line.appendChild(document.createTextNode(" · " + when.replace("{time}", time(draft.sent || draft.created))));
    li.appendChild(line);
    if (answer && answer.text) {
      var receipt = el("p", {}, t.receipt + " ");
      receipt.appendChild(el("code", { "class": "receipt" }, answer.text));
      li.appendChild(receipt);
    }
    if (answer && answer.error) li.appendChild(el("p", {}, answer.error));
    if (draft.state === "signin") {
      li.appendChild(el("p")).appendChild(el("a", { href: "/accounts/login/?next=" + encodeURIComponent(draft.action) }, t.signinLink));
    }
    if (answer && answer.url && draft.state === "sent") {
      li.appendChild(el("p")).appendChild(el("a", { href: answer.url }, t.open));
    }
    var actions = el("p", { "class": "outbox-actions" });
    actions.appendChild(button(draft.state === "sent" ? t.dismiss : t.remove, function () {
      Outbox.remove(draft.id).then(function () {
        say(draft.state === "sent" ? t.dismissed : t.removed);
        return render();
      });
    }));
    li.appendChild(actions);
    return li;
  }

  function render() {
    return Outbox.list().then(function (drafts) {
      return Promise.all(drafts.map(function (d) {
        return Outbox.unseal(d.result).catch(function () { return null; }).then(function (answer) { return item(d, answer); });
      }));
    }).then(function (items) {
      list.replaceChildren.apply(list, items);
      panel.hidden = items.length === 0;
    });
  }

  function announceSent(done) {
    var sent = done.filter(function (d) { return d.state === "sent"; });
    if (sent.length) say(t.sentNotice);
    else if (done.some(function (d) { return d.state === "refused" || d.state === "signin"; })) say(t.refusedNotice);
  }

  function sendNow() {
    if (navigator.onLine === false) return Promise.resolve();
    return Outbox.sendAll(csrf()).then(function (done) {
      if (done.length) announceSent(done);
      return render();
    }).catch(function () { /* tried again later */ });
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(Outbox.SYNC_TAG);
    }).catch(function () { /* the page sends it on the next visit or when back online */ });
  }

  document.querySelectorAll("form[data-outbox]").forEach(function (form) {
    var key = document.createElement("input");
    key.type = "hidden";
    key.name = "idempotency_key";
    key.value = crypto.randomUUID(); // a double tap on "send" is one post
    form.appendChild(key);
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false || event.defaultPrevented) return;
      event.preventDefault();
      var fields = [];
      new FormData(form, event.submitter || undefined).forEach(function (value, name) {
        if (typeof value === "string" && name !== "idempotency_key") fields.push([name, value]);
      });
      var action = new URL(form.action, window.location.href);
      Outbox.save(action.pathname + action.search, form.dataset.outbox, fields).then(function () {
        form.reset();
        key.value = crypto.randomUUID();
        askForSync();
        return render();
      }).then(function () {
        say(t.keptNotice);
        panel.scrollIntoView({ block: "nearest" });
      }).catch(function () { say(t.failedNotice); });
    });
  });

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "outbox-changed") render().then(function () { announceSent(event.data.done || []); });
    });
  }
  window.addEventListener("online", sendNow);
  render().then(sendNow);
})();
