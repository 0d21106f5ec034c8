/*
 * Ask before destructive actions: any <form data-confirm="Question?"> shows window.confirm and
 * submits only on OK. Progressive enhancement only: the server never relies on it.
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
