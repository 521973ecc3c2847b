/* Buttons marked data-print print the page (instead of an inline onclick, which the CSP forbids). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) { window.print(); }
  });
})();
