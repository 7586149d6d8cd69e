/* The name pickers (ksbb/web/pickers.py): htmx shows the places found under a field as the
   person types; a click on one puts its name into the field. A picked village where RWs are
   wanted asks again, which lists that village's RWs. Without JavaScript the field is plain
   text, read back on the server. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest("[data-pick]") : null;
    if (!button) return;
    var box = button.closest("[data-picker-for]");
    var input = box ? document.getElementById(box.getAttribute("data-picker-for")) : null;
    if (!input) return;
    input.value = button.getAttribute("data-pick");
    box.textContent = "";
    input.focus();
    if (button.hasAttribute("data-more")) {
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !target.id) return;
    var box = document.querySelector('[data-picker-for="' + target.id + '"]');
    if (box) box.textContent = "";
  });
})();
