/* Leaflet (about 45 KB compressed) is fetched only when a map is about to be seen: pages call
   cityPocketMap(element, init) and init(L) runs once the element nears the screen. The list beside
   every map says the same, so a page is complete without it. */
(function () {
  "use strict";
  var me = document.currentScript;
  var loading = null;
  function load() {
    if (window.L) return Promise.resolve(window.L);
    if (!loading) {
      /* Both before the map is drawn: Leaflet finds its marker images through its stylesheet. */
      loading = Promise.all([
        new Promise(function (resolve, reject) {
          var link = document.createElement("link");
          link.rel = "stylesheet";
          link.href = me.dataset.leafletCss;
          link.onload = resolve;
          link.onerror = reject;
          document.head.appendChild(link);
        }),
        new Promise(function (resolve, reject) {
          var script = document.createElement("script");
          script.src = me.dataset.leafletJs;
          script.nonce = me.nonce;
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        })
      ]).then(function () { return window.L; });
    }
    return loading;
  }
  window.cityPocketMap = function (el, init) {
    if (!el) return;
    el.hidden = false;  /* shown only when scripts run: without them the list is the page */
    el.classList.remove("hidden");
    function start() { load().then(init).catch(function () { /* the list is enough */ }); }
    if (!("IntersectionObserver" in window)) { start(); return; }
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        start();
      }
    }, { rootMargin: "200px 0px" });
    observer.observe(el);
  };
  /* A map region named by the element's data-label, centred on data-lat/lon, with the city's tiles. */
  window.cityPocketMap.region = function (L, el, zoom, maxZoom) {
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", el.dataset.label || "");
    var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)], zoom);
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: maxZoom }).addTo(map);
    return map;
  };
})();
