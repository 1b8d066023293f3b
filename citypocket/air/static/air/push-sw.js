/* Air alerts by web push: shows the (decrypted) alert and opens the air page on click.
   Registered by air.js with its own scope, so it never takes over the app's main service worker. */
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "CityPocket", {
    body: data.body || "",
    tag: "air-" + (data.date || ""),
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
