/* CityPocket outbox: forms written without a connection, kept on this device and sent later.

   Loaded by the pages (drafts.js shows the drafts) and by the service worker (Background Sync sends
   them). A draft is kept in IndexedDB, its fields encrypted with AES-GCM under a key made on this
   device, stored in the same database and marked non-extractable: the key can encrypt and decrypt
   here but can never be read out, so a copy of the browser's files shows no report text.

   Each draft carries a UUID made on the device and sent as `idempotency_key`: the server answers
   a repeated send with its first answer (core/idempotency.py), so the page and the worker may both
   try without anything being written twice. */
(function (root) {
  "use strict";
  var DB_NAME = "citypocket-outbox";
  var DRAFTS = "drafts";
  var KEYS = "keys";
  var LOGIN_PATH = "/accounts/login/";

  function supported() {
    return !!(root.indexedDB && root.crypto && root.crypto.subtle && root.crypto.randomUUID && root.fetch);
  }

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  var opened = null;
  function db() {
    if (!opened) {
      var req = root.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(DRAFTS, { keyPath: "id" });
        req.result.createObjectStore(KEYS);
      };
      opened = request(req);
    }
    return opened;
  }

  function store(name, mode) {
    return db().then(function (database) { return database.transaction(name, mode).objectStore(name); });
  }

  var deviceKey = null;
  function key() {
    if (!deviceKey) {
      deviceKey = store(KEYS, "readonly").then(function (s) { return request(s.get("drafts")); }).then(function (found) {
        if (found) return found;
        return root.crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
          .then(function (made) {
            return store(KEYS, "readwrite").then(function (s) { return request(s.put(made, "drafts")); })
              .then(function () { return made; });
          });
      });
    }
    return deviceKey;
  }

  function seal(value) {
    var iv = root.crypto.getRandomValues(new Uint8Array(12));
    var data = new TextEncoder().encode(JSON.stringify(value));
    return key().then(function (k) { return root.crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, k, data); })
      .then(function (sealed) { return { iv: iv, data: sealed }; });
  }

  function unseal(sealed) {
    if (!sealed) return Promise.resolve(null);
    return key().then(function (k) { return root.crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, k, sealed.data); })
      .then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function put(draft) {
    return store(DRAFTS, "readwrite").then(function (s) { return request(s.put(draft)); }).then(function () { return draft; });
  }

  function get(id) {
    return store(DRAFTS, "readonly").then(function (s) { return request(s.get(id)); });
  }

  /* Keeps a form's fields ([[name, value], …]) to send to `action`; `label` names the kind of form. */
  function save(action, label, fields) {
    var id = root.crypto.randomUUID();
    return seal(fields).then(function (sealed) {
      return put({ id: id, key: root.crypto.randomUUID(), action: action, label: label, created: Date.now(),
        state: "waiting", fields: sealed, result: null });
    });
  }

  function list() {
    return store(DRAFTS, "readonly").then(function (s) { return request(s.getAll()); }).then(function (all) {
      return all.sort(function (a, b) { return a.created - b.created; });
    });
  }

  function remove(id) {
    return store(DRAFTS, "readwrite").then(function (s) { return request(s.delete(id)); });
  }

  /* What the answer page says, for the person: the receipt code (marked data-outbox-result) and
     the page to open; or the error the server flashed. Our own markup, so a pattern is enough
     (the worker has no DOMParser). */
  function readAnswer(html, url) {
    var result = /data-outbox-result[^>]*>(?:<[^>]+>)*([^<]{1,200})</.exec(html);
    var error = /class="message error"[^>]*>([^<]{1,500})</.exec(html);
    return { text: result ? result[1].trim() : "", url: url, error: error ? error[1].trim() : "" };
  }

  /* Sends one waiting draft. `csrf`: a fresh token from the page (the one kept with the draft may
     be stale; the worker has only that one). Resolves to the draft with its new state:
     sent, refused (the server said no: the person decides), signin, or still waiting. */
  function send(draft, csrf) {
    if (!draft || draft.state !== "waiting") return Promise.resolve(draft);
    return unseal(draft.fields).then(function (fields) {
      var body = new URLSearchParams();
      fields.forEach(function (pair) {
        if (pair[0] === "csrfmiddlewaretoken" && csrf) return;
        if (pair[0] !== "idempotency_key") body.append(pair[0], pair[1]);
      });
      if (csrf) body.append("csrfmiddlewaretoken", csrf);
      body.append("idempotency_key", draft.key);
      return fetch(draft.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Idempotency-Key": draft.key, "Accept": "text/html" },
      });
    }).then(function (response) {
      return response.text().then(function (html) {
        var landed = new URL(response.url, root.location.href);
        if (response.redirected && landed.pathname.indexOf(LOGIN_PATH) === 0) {
          draft.state = "signin";
          return draft;
        }
        if (response.status === 403 || response.status === 429 || response.status >= 500) return draft;
        var answer = readAnswer(html, response.redirected ? landed.pathname + landed.search : "");
        draft.state = (response.status === 201 || response.redirected) && !answer.error ? "sent" : "refused";
        draft.sent = Date.now();
        return seal(answer).then(function (sealed) { draft.result = sealed; return draft; });
      });
    }).then(function (changed) {
      // Deleted meanwhile (the person changed their mind): nothing to write back.
      return get(changed.id).then(function (still) { return still ? put(changed) : changed; });
    }, function () {
      return draft; // no connection: still waiting
    });
  }

  var running = null;
  /* Sends every waiting draft, one after the other; one run at a time in this page or worker. */
  function sendAll(csrf) {
    if (running) return running;
    running = list().then(function (drafts) {
      return drafts.filter(function (d) { return d.state === "waiting"; }).reduce(function (chain, draft) {
        return chain.then(function (done) { return send(draft, csrf).then(function (d) { return done.concat([d]); }); });
      }, Promise.resolve([]));
    }).then(function (done) { running = null; return done; }, function (error) { running = null; throw error; });
    return running;
  }

  root.CityPocketOutbox = {
    supported: supported, save: save, list: list, remove: remove, send: send, sendAll: sendAll,
    unseal: unseal, SYNC_TAG: "citypocket-outbox",
  };
})(self);
