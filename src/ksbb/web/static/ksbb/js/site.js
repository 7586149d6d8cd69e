/* Behaviour shared by every page, kept out of the markup: the Content-Security-Policy
   allows no inline handlers. A <select data-autosubmit> submits its form when changed (the
   language switcher); without JavaScript the form's <noscript> button does the same. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.submit();
    }
  });
})();
