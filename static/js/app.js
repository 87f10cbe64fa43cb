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

  // A part of a form that matters for one choice of a radio group only
  // (data-shown-for="name=value") is hidden while another is chosen.
  // Without JavaScript it stays in view, and the server ignores it.
  function reveal() {
    document.querySelectorAll("[data-shown-for]").forEach(function (el) {
      var want = el.getAttribute("data-shown-for").split("=");
      var chosen = document.querySelector('input[type="radio"][name="' + want[0] + '"]:checked');
      el.hidden = !chosen || chosen.value !== want[1];
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.type === "radio") {
      reveal();
    }
  });
  document.addEventListener("htmx:afterSettle", reveal);
  reveal();
})();
