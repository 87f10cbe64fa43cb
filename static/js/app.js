// Page behaviour that htmx attributes do not cover.
(function () {
  "use strict";

  // After htmx swaps in a form with errors, move focus to its error summary
  // so keyboard and screen-reader users hear what went wrong.
  document.addEventListener("htmx:afterSettle", function (event) {
    var summary = event.detail.elt && event.detail.elt.querySelector
      ? event.detail.elt.querySelector(".error-summary")
      : null;
    if (summary) {
      summary.focus();
      return;
    }
    var notice = event.detail.elt && event.detail.elt.querySelector
      ? event.detail.elt.querySelector("[data-focus-on-swap]")
      : null;
    if (notice) {
      notice.focus();
    }
  });
})();
