/*
 * Log tab: <a href="…/payload" data-payload-target="ID"> loads a delivery's payload into the <pre>
 * with that id instead of leaving the page. Without JavaScript the link opens the payload itself.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-payload-target]").forEach(function (link) {
    var target = document.getElementById(link.getAttribute("data-payload-target"));
    if (!target) return;
    link.addEventListener("click", function (event) {
      event.preventDefault();
      target.hidden = false;
      target.textContent = "Loading…";
      fetch(link.href, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.redirected) throw new Error("you may have been signed out");
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (text) {
          target.textContent = text;
          link.hidden = true;
        })
        .catch(function (error) {
          target.textContent = "The payload could not be loaded (" + error.message + "). " +
            "Reload the page and try again.";
        });
    });
  });
})();
