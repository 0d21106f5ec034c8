/*
 * Form errors, the GOV.UK way (templates/macros/forms.html: render_field, error_summary).
 * - On load, focus the error summary so keyboard and screen-reader users start from it; its
 *   links jump to each field (and focus it).
 * - When a field with an error changes, remove that error: its message under the field, the
 *   red border, aria-invalid, and its line in the summary (the summary goes when it is empty).
 *   The server checks everything again on submit, so nothing is lost by clearing early.
 */
(function () {
  "use strict";

  function summary() { return document.querySelector("[data-error-summary]"); }

  function clearFieldError(control) {
    var field = control.closest(".field-error");
    if (!field) return;
    field.classList.remove("field-error");
    field.querySelectorAll(".error").forEach(function (message) {
      var id = message.id;
      message.remove();
      field.querySelectorAll("[aria-describedby]").forEach(function (el) {
        var rest = el.getAttribute("aria-describedby").split(" ").filter(function (ref) { return ref && ref !== id; });
        if (rest.length) el.setAttribute("aria-describedby", rest.join(" ")); else el.removeAttribute("aria-describedby");
      });
    });
    field.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var box = summary();
    if (!box) return;
    field.querySelectorAll("[id]").forEach(function (el) {
      var line = box.querySelector('li[data-field="' + CSS.escape(el.id) + '"]');
      if (line) line.remove();
    });
    if (!box.querySelector("li")) box.remove();
  }

  function onChange(event) {
    var control = event.target;
    if (control instanceof Element && control.matches("input, select, textarea")) clearFieldError(control);
  }

  function init() {
    document.addEventListener("input", onChange);
    document.addEventListener("change", onChange);
    var box = summary();
    if (!box) return;
    box.focus();
    box.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
