/*
 * The Details page's webhook URL follows the Subdomain field as it is typed, so Copy copies the
 * real URL before the first Save. Without JavaScript the page says the URL appears after Save
 * (templates/integration/_webhook.html); with it, that sentence is swapped for data-webhook-live.
 */
(function () {
  "use strict";
  var code = document.getElementById("webhook-url");
  var field = document.getElementById("subdomain");
  if (!code || !field || !code.hasAttribute("data-webhook-base")) return;
  var base = code.getAttribute("data-webhook-base");
  var placeholder = code.getAttribute("data-webhook-placeholder");
  var how = document.getElementById("webhook-url-how");
  if (how && how.hasAttribute("data-webhook-live")) how.textContent = how.getAttribute("data-webhook-live");

  function update() {
    code.textContent = base + (field.value.trim() || placeholder);
  }
  field.addEventListener("input", update);
  update();
})();
