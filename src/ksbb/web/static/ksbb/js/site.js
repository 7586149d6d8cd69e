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
