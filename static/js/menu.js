/*
 * The navigation's Menu button on small screens (templates/base.html, static/css/app.css).
 * Without JavaScript the button stays hidden and the links simply wrap. With it, at phone width
 * the links fold away behind "Menu": Enter or Space opens them, Escape closes them and puts the
 * focus back on the button.
 */
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) return;
  document.documentElement.classList.add("has-menu");
  button.hidden = false;

  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("open", open);
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape from the button itself (just opened) or from a link inside the menu.
  function closeOnEscape(event) {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      setOpen(false);
      button.focus();
    }
  }
  button.addEventListener("keydown", closeOnEscape);
  nav.addEventListener("keydown", closeOnEscape);
})();
