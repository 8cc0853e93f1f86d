/*
 * Zorgpost's own progressive enhancement: every page works without it.
 * - the password checklist ticks rules off while the person types;
 * - after a failed save, focus moves to the error summary so a screen reader reads it.
 */
(function () {
  "use strict";

  function countOf(item, fallback) {
    var value = parseInt(item.getAttribute("data-count") || "", 10);
    return isNaN(value) ? fallback : value;
  }

  function isSpecial(ch) {
    return !/[\p{L}\p{N}\s]/u.test(ch);
  }

  // null: cannot be judged in the browser (a common password, one's own name): left neutral.
  function ruleMet(item, password, confirmation) {
    var rule = item.getAttribute("data-rule");
    var chars = Array.from(password);
    switch (rule) {
      case "min_length": return chars.length >= countOf(item, 0);
      case "max_length": return chars.length > 0 && chars.length <= countOf(item, 128);
      case "lower": return /\p{Ll}/u.test(password);
      case "upper": return /\p{Lu}/u.test(password);
      case "digits": return chars.filter(function (c) { return /\p{Nd}/u.test(c); }).length >= countOf(item, 1);
      case "special": {
        var allowed = item.getAttribute("data-allowed");
        return chars.some(function (c) { return allowed ? allowed.indexOf(c) >= 0 : isSpecial(c); });
      }
      case "confirmation": return confirmation !== null && password.length > 0 && password === confirmation;
      default: return null;
    }
  }

  function setUpChecklist(box) {
    var input = document.getElementById(box.getAttribute("data-password-rules-for"));
    if (!input) { return; }
    var confirmId = box.getAttribute("data-confirm-field");
    var confirm = confirmId ? document.getElementById(confirmId) : null;
    var metText = (box.querySelector("[data-rule-met-text]") || {}).textContent || "";
    var unmetText = (box.querySelector("[data-rule-unmet-text]") || {}).textContent || "";
    var items = box.querySelectorAll("[data-rule]");
    function update() {
      var password = input.value;
      var confirmation = confirm ? confirm.value : null;
      items.forEach(function (item) {
        var met = password.length ? ruleMet(item, password, confirmation) : null;
        item.classList.toggle("is-met", met === true);
        item.classList.toggle("is-unmet", met === false);
        var status = item.querySelector(".zp-password-rules__status");
        if (status) { status.textContent = met === null ? "" : " (" + (met ? metText : unmetText) + ")"; }
      });
    }
    input.addEventListener("input", update);
    if (confirm) { confirm.addEventListener("input", update); }
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-password-rules-for]").forEach(setUpChecklist);
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  });
})();
