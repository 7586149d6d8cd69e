/* Service worker of the offline verifier (/verify/scan/). Keeps the page, its scripts and
   the public keys. The page and the keys: network first (fresh when online), the kept copy
   when offline. Static files: the kept copy first (their content changes only with a
   release, which changes this file and so the cache's name). */
"use strict";
const CONFIG = {{ config|safe }};
const CACHE = "ksbb-verify-" + CONFIG.version;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CONFIG.urls))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((n) => n.startsWith("ksbb-verify-") && n !== CACHE)
      .map((n) => caches.delete(n)))).then(() => self.clients.claim()));
});

function networkFirst(request, key) {
  return fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy));
    }
    return response;
  }).catch(() => caches.match(key).then((hit) => hit || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === CONFIG.page || url.pathname === CONFIG.keys) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (CONFIG.urls.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});
