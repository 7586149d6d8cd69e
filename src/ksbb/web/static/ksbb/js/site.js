/* Behaviour shared by every page, kept out of the markup: the Content-Security-Policy
   allows no inline handlers. A <select data-autosubmit> submits its form when changed (the
   language switcher); without JavaScript the form's <noscript> button does the same.
   A form (or its submit button) with data-confirm="question" asks before an action that
   cannot be undone (issue 15); without JavaScript the required reason is the pause. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
/* Header menus (issue 15): <details class="ws"> open and close without JavaScript; this
   only keeps one open at a time, and closes it on Escape (focus back on its name) or on a
   click elsewhere. */
(function () {
  "use strict";
  function menus() { return document.querySelectorAll("header.site details.ws[open]"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.classList.contains("ws") ||
        !opened.open) return;
    menus().forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    menus().forEach(function (d) {
      var hadFocus = d.contains(document.activeElement);
      d.open = false;
      if (hadFocus) d.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    menus().forEach(function (d) { if (!d.contains(event.target)) d.open = false; });
  });
})();
/* Wide tables (issue 15): a .table-wrap that has to scroll sideways on a narrow screen
   becomes a labelled region that takes keyboard focus, so that it can be scrolled with the
   arrow keys (axe scrollable-region-focusable); one that fits stays out of the tab order. */
(function () {
  "use strict";
  function label(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return caption.textContent.trim();
    for (var el = wrap; el && el !== document.body; el = el.parentElement) {
      for (var prev = el.previousElementSibling; prev; prev = prev.previousElementSibling) {
        if (/^H[1-6]$/.test(prev.tagName)) return prev.textContent.trim();
        var heading = prev.querySelector && prev.querySelector("h1, h2, h3, h4, h5, h6");
        if (heading && prev.tagName !== "TABLE") return heading.textContent.trim();
      }
      if (el.tagName === "DETAILS") {
        var summary = el.querySelector("summary");
        if (summary) return summary.textContent.trim();
      }
    }
    return document.title;
  }
  function mark() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", label(wrap));
        }
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
      }
    });
  }
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; mark(); });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
