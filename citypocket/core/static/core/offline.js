/* The offline page: lists the pages this device keeps (the service worker's copies), each help-now
   page first, with the time it was saved. */
(function () {
  "use strict";
  var section = document.getElementById("cached");
  var helpList = document.getElementById("cached-help");
  var pageList = document.getElementById("cached-pages");
  if (!section || !window.caches) return;
  var lang = document.documentElement.lang || "fr";
  var when = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  var HELP = /^\/[^/]+\/safety\/help\/$/;

  function title(html, fallback) {
    var found = /<title>([^<]*)<\/title>/.exec(html);
    var text = document.createElement("textarea");
    text.innerHTML = found ? found[1] : fallback; // decodes &amp; and the like, runs nothing
    return text.value.trim() || fallback;
  }

  function entry(page) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = page.path;
    link.textContent = page.title;
    li.appendChild(link);
    if (page.saved) li.appendChild(document.createTextNode(" · " + section.dataset.saved.replace("{date}", when.format(page.saved))));
    return li;
  }

  window.caches.keys().then(function (keys) {
    var names = keys.filter(function (k) { return k.indexOf("pages-") === 0; });
    return Promise.all(names.map(function (name) {
      return window.caches.open(name).then(function (cache) {
        return cache.keys().then(function (requests) {
          return Promise.all(requests.map(function (req) {
            return cache.match(req).then(function (res) {
              if (!res || (res.headers.get("Content-Type") || "").indexOf("text/html") !== 0) return null;
              var url = new URL(req.url);
              if (url.pathname === window.location.pathname) return null;
              var saved = Date.parse(res.headers.get("X-Saved-At") || res.headers.get("Date") || "");
              return res.text().then(function (html) {
                return { path: url.pathname + url.search, title: title(html, url.pathname), saved: isNaN(saved) ? null : saved };
              });
            });
          }));
        });
      });
    }));
  }).then(function (groups) {
    var pages = [].concat.apply([], groups).filter(Boolean).sort(function (a, b) { return (b.saved || 0) - (a.saved || 0); });
    pages.forEach(function (page) { (HELP.test(page.path) ? helpList : pageList).appendChild(entry(page)); });
    if (!helpList.children.length) helpList.remove();
    if (!pageList.children.length) pageList.remove();
    section.hidden = pages.length === 0;
  }).catch(function () { /* nothing kept */ });
})();
