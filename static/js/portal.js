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

// The error summary takes the focus when the page opens (the autofocus attribute does it without JavaScript, but
// not in every browser for an element that is not a control), so a screen reader reads it first. A link in it
// focuses its field and scrolls the field's label (or a group's legend) into sight, not just the input.
(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) return;
  if (!summary.contains(document.activeElement)) summary.focus();
  summary.addEventListener("click", function (event) {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    const legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    const label = legend || (field.id && document.querySelector("label[for='" + CSS.escape(field.id) + "']"));
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();

// A text with a length limit shows how many characters are left as one types, and lets one type past the limit
// (the server then refuses the text with a message, keeping everything typed) instead of cutting it off silently.
// The words come from the form (templates/bootstrap5/errors.html), in the page's language. The visible count
// changes with every key; screen readers hear it through a polite live region once typing pauses. A one-line
// field shows its count only from 80% of its limit (GOV.UK's threshold): a count under every name is noise.
(function () {
  const TEXT_TYPES = ["text", "email", "tel", "url"];
  let made = 0;
  function say(words, kind, count) {
    return words.dataset[kind + (count === 1 ? "One" : "Other")].replace("%(count)s", count);
  }
  function attach(field, words) {
    const limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!(limit > 0)) return;
    const threshold = field.tagName === "TEXTAREA" ? 0 : Math.floor(limit * 0.8);
    const id = (field.id || "text-" + (made += 1)) + "-count";
    const hint = document.createElement("span");
    hint.id = id;
    hint.className = "visually-hidden";
    hint.textContent = say(words, "limit", limit);
    const shown = document.createElement("div");
    shown.className = "form-text character-count";
    shown.setAttribute("aria-hidden", "true");
    const heard = document.createElement("div");
    heard.className = "visually-hidden";
    heard.setAttribute("aria-live", "polite");
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", (described ? described + " " : "") + id);
    field.removeAttribute("maxlength");
    field.after(hint, shown, heard);
    let pause;
    function show() {
      const length = field.value.length;
      const text = length <= limit ? say(words, "left", limit - length) : say(words, "over", length - limit);
      shown.textContent = text;
      shown.hidden = length < threshold;
      shown.classList.toggle("character-count-over", length > limit);
      field.classList.toggle("is-invalid", length > limit || field.getAttribute("aria-invalid") === "true");
      return shown.hidden ? "" : text;
    }
    show();
    field.addEventListener("input", function () {
      const text = show();
      clearTimeout(pause);
      pause = setTimeout(function () { heard.textContent = text; }, 1000);
    });
  }
  document.querySelectorAll("form").forEach(function (form) {
    const words = form.querySelector(".character-count-words");
    if (!words) return;
    form.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (field) {
      if (field.tagName === "TEXTAREA" || TEXT_TYPES.includes(field.type)) attach(field, words);
    });
  });
})();
