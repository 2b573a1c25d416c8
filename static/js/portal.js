// Progressive enhancement only: every page works without this file.
document.documentElement.classList.replace("no-js", "js");

// A table wider than the screen scrolls sideways inside .table-responsive. Keyboard users can only
// scroll it if the scroll area itself takes focus (WCAG 2.1.1), so it does whenever it overflows,
// named after the table's caption (or the heading above it) for screen readers.
(function () {
  function nameOf(wrapper) {
    const caption = wrapper.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    const section = wrapper.closest("section, article, main");
    const heading = section && section.querySelector("h1, h2, h3");
    return heading ? heading.textContent.trim() : "";
  }
  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (wrapper) {
      if (wrapper.scrollWidth > wrapper.clientWidth) {
        wrapper.tabIndex = 0;
        wrapper.setAttribute("role", "region");
        const name = nameOf(wrapper);
        if (name) wrapper.setAttribute("aria-label", name);
      } else if (wrapper.getAttribute("role") === "region") {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
  window.addEventListener("resize", update);
})();
