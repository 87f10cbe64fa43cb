// Page behaviour that htmx attributes do not cover.
(function () {
  "use strict";

  // answerIn is what an answer to a form inside root says: its error
  // summary, else its message (null when it has neither).
  function answerIn(root) {
    return root.querySelector(".error-summary") || root.querySelector("[data-focus-on-swap]");
  }

  // After htmx swaps in a form with errors, move focus to its error summary
  // so keyboard and screen-reader users hear what went wrong; after a
  // success, to its message. The event fires on each element swapped in.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!root || !root.querySelector) {
      return;
    }
    var target = answerIn(root);
    if (target) {
      target.focus();
      return;
    }
    // A link or button that replaced itself (sorting, the next page)
    // leaves focus nowhere: it goes to the region swapped in instead, so
    // the next Tab continues from there: the region the request was
    // for, not a part swapped in out of band beside it (the audit log's
    // filter form).
    var active = document.activeElement;
    var asked = event.detail && event.detail.target;
    var oob = asked && asked.id && asked.id !== root.id;
    if ((!active || active === document.body) && root.id && !oob) {
      if (!root.hasAttribute("tabindex")) {
        root.setAttribute("tabindex", "-1");
      }
      root.focus();
    }
  });

  // A page that is the answer to a form (a redirect after a save, lock or
  // unlock, or a refused form sent without htmx) puts focus on its error
  // summary or its message, as an htmx swap does: keyboard and
  // screen-reader users start from what happened (GOV.UK's notification
  // banner does the same).
  function focusAnswer() {
    var target = answerIn(document);
    if (target && (!document.activeElement || document.activeElement === document.body)) {
      target.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusAnswer);
  } else {
    focusAnswer();
  }

  // The header marks the page the user is on (aria-current): after htmx
  // moves the address bar, the link whose address is the longest start of
  // the new one, as the server marks it on a full page.
  function markCurrentNav() {
    var path = window.location.pathname;
    var best = null;
    document.querySelectorAll(".site-nav a[href^='/']").forEach(function (a) {
      var href = a.getAttribute("href");
      var within = path === href || path.indexOf(href.replace(/\/$/, "") + "/") === 0;
      if (within && (!best || href.length > best.getAttribute("href").length)) {
        best = a;
      }
    });
    document.querySelectorAll(".site-nav a[aria-current]").forEach(function (a) {
      if (a !== best) {
        a.removeAttribute("aria-current");
      }
    });
    if (best) {
      best.setAttribute("aria-current", "page");
    }
  }
  document.addEventListener("htmx:pushedIntoHistory", markCurrentNav);
  document.addEventListener("htmx:historyRestore", markCurrentNav);

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
