// The signal route's service worker: keeps the signal pages a member opened, to show them again without a network.
//
// Privacy: the cards name people with their phone numbers, so a copy may not outlive the member's session. Every page
// of the route carries X-Signals-Session, a marker of the login session (signals.views). The cache is named after it:
// when a page arrives with another marker, or without one (logged out, the session expired: the route then answers
// with the login page), every older copy is deleted before anything else happens. Logging out also sends
// Clear-Site-Data ("cache", "storage"), which removes this worker and its cache in browsers that support it. Copies
// are only served when the network fails, and only of pages of /signals/.
"use strict";

var PREFIX = "signal-cards-";
var MARKER = "X-Signals-Session";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function dropAllBut(keep) {
  return caches.keys().then(function (names) {
    return Promise.all(
      names
        .filter(function (name) {
          return name.indexOf(PREFIX) === 0 && name !== keep;
        })
        .map(function (name) {
          return caches.delete(name);
        })
    );
  });
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    var marker = response.headers.get(MARKER);
    if (!marker || response.redirected || !response.ok) {
      // Not a member's page of this session (a login page, an error): no copy may stay.
      return dropAllBut(null).then(function () {
        return response;
      });
    }
    var name = PREFIX + marker;
    var copy = response.clone();
    return dropAllBut(name)
      .then(function () {
        return caches.open(name);
      })
      .then(function (cache) {
        return cache.put(request, copy);
      })
      .then(function () {
        return response;
      });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || request.mode !== "navigate" || url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.indexOf("/signals/") !== 0) {
    return;
  }
  event.respondWith(
    fromNetwork(request).catch(function () {
      return caches.keys().then(function (names) {
        var current = names.filter(function (name) {
          return name.indexOf(PREFIX) === 0;
        })[0];
        if (!current) {
          return Response.error();
        }
        return caches.open(current).then(function (cache) {
          return cache.match(request).then(function (found) {
            return found || Response.error();
          });
        });
      });
    })
  );
});
