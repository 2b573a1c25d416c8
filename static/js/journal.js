// Films behind a click: nothing is requested from YouTube or Vimeo until the visitor asks for the film.
// Without JavaScript the button is a plain link to the film's own page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".journal-video-play");
    if (!button) {
      return;
    }
    var figure = button.closest(".journal-video");
    var src = figure && figure.getAttribute("data-embed-url");
    if (!src || !/^https:\/\/(www\.youtube-nocookie\.com\/embed\/|player\.vimeo\.com\/video\/)/.test(src)) {
      return;
    }
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = figure.getAttribute("data-embed-title") || "";
    frame.allow = "autoplay; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "journal-video-frame";
    var consent = figure.querySelector(".journal-video-consent");
    consent.replaceWith(frame);
    frame.focus();
  });
})();
