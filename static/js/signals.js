// Registers the signal route's service worker (static/js/signals-sw.js, served at /signals/sw.js so that its scope is
// /signals/). Loaded as a file, not inline, for the CSP; the pages work the same without it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope }).catch(function () {
    // No offline copy then (a private window, an old browser): the route itself works as before.
  });
})();
