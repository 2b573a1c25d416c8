/* The portal's additions to Django's admin (templates/admin/base_site.html): no inline script, CSP-safe.
 *
 * - Forms are checked by the server (the error summary names every problem), not by the browser's bubbles.
 * - After an invalid submit the error summary takes the focus.
 * - A table that scrolls sideways inside its box (an inline's rows) can be reached and scrolled with the
 *   keyboard, and is named after its heading (WCAG 2.1.1; axe: scrollable-region-focusable).
 * - The two-box picker's help icons carry an aria-label on a plain span (axe: aria-prohibited-attr): they
 *   become images with that name.
 * - An autocomplete box (select2) is named by its field's label, not only by the choice it shows.
 */
"use strict";
(function () {
  function serverValidation() {
    document.querySelectorAll("#content form").forEach(function (form) {
      form.noValidate = true;
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".admin-error-summary");
    if (summary) {
      summary.focus();
    }
  }

  function retargetErrorLinks() {
    // The two-box picker renames its select (id_themes becomes id_themes_from): the link follows it.
    document.querySelectorAll(".admin-error-summary a[href^='#']").forEach(function (link) {
      var id = link.getAttribute("href").slice(1);
      if (!id || document.getElementById(id)) {
        return;
      }
      ["_from", "_input"].some(function (suffix) {
        if (document.getElementById(id + suffix)) {
          link.setAttribute("href", "#" + id + suffix);
          return true;
        }
        return false;
      });
    });
  }

  function nameScrollableRegions() {
    document.querySelectorAll(".inline-group .tabular, .results").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        var heading = region.querySelector("h2, caption") || region.closest(".inline-group, #changelist");
        var name = heading ? (heading.querySelector("h2, caption") || heading).textContent : document.title;
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", name.trim().split("\n")[0].trim());
        region.dataset.portalScrollRegion = "1";
      } else if (!scrolls && region.dataset.portalScrollRegion) {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("aria-label");
        delete region.dataset.portalScrollRegion;
      }
    });
  }

  function nameHelpIcons() {
    document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function watchChoices(list) {
    var unlist = function () {
      list.querySelectorAll(":scope > li:not([role])").forEach(function (item) {
        item.setAttribute("role", "none");
      });
      var search = list.querySelector(".select2-search__field");
      if (search && !search.hasAttribute("aria-label")) {
        search.setAttribute("aria-label", list.closest(".select2-selection").getAttribute("aria-label") || "");
      }
    };
    unlist();
    if (!list.dataset.portalWatched) {
      list.dataset.portalWatched = "1";
      new MutationObserver(unlist).observe(list, { childList: true, subtree: true });
    }
  }

  function nameAutocompleteBoxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector(".select2-selection[role=combobox]");
      if (!combobox) {
        return;
      }
      var name = label ? label.textContent.replace(/:\s*$/, "").trim() : select.getAttribute("aria-label");
      if (!name) {
        return;
      }
      var shown = combobox.querySelector(".select2-selection__rendered");
      if (shown && shown.tagName === "UL") {
        // A box of several choices: select2 lists them in a <ul> that also holds its search box (axe: list).
        shown.setAttribute("role", "none");
        watchChoices(shown);
      }
      var search = container.querySelector(".select2-search__field");
      if (search) {
        search.setAttribute("aria-label", name);
      }
      if (label && shown && shown.id) {
        // The field's label first, then the choice the box shows ("Host organisation: De Wieg"). select2 makes
        // the shown choice a read-only text box of its own: the label names it too.
        label.id = label.id || select.id + "_label";
        combobox.setAttribute("aria-labelledby", label.id + " " + shown.id);
        shown.setAttribute("aria-labelledby", label.id);
      } else {
        if (shown) {
          shown.setAttribute("aria-label", name);
        }
        combobox.removeAttribute("aria-labelledby");
        combobox.setAttribute("aria-label", name);
      }
    });
  }

  function afterWidgets() {
    // Django's widgets (the two-box picker, select2) build themselves on "load": run after them.
    window.setTimeout(function () {
      nameHelpIcons();
      nameAutocompleteBoxes();
      retargetErrorLinks();
      nameScrollableRegions();
    }, 0);
  }

  window.addEventListener("load", afterWidgets);
  document.addEventListener("formset:added", afterWidgets);

  document.addEventListener("DOMContentLoaded", function () {
    serverValidation();
    nameScrollableRegions();
    focusErrorSummary();
  });
  window.addEventListener("resize", nameScrollableRegions);
})();
