/* The field app's service worker (scope /field). It keeps the app's shell (page,
   script, style, icons) so the app opens without a network and shows that it is
   offline; API answers and evidence (snapshots, photos) are never cached. */
"use strict";

const CACHE = "kuzet-field-v1";
const SHELL = ["/field", "/static/field.css", "/static/field.js", "/static/common.js",
  "/static/field-icon.svg", "/static/field-icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!SHELL.includes(url.pathname)) return; /* API, stream, evidence: the network only */
  /* Network first (fresh page, fresh CSRF token); the cached shell when offline. */
  event.respondWith(fetch(event.request).then((resp) => {
    if (resp.ok && !resp.redirected) {
      const copy = resp.clone();
      caches.open(CACHE).then((c) => c.put(url.pathname, copy));
    }
    return resp;
  }).catch(() => caches.match(url.pathname)));
});
