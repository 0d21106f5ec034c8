/*
 * Copy buttons: <button data-copy-target="ID" hidden> copies the text of the element with that id.
 * The button starts hidden and is shown only when the browser can copy; the text stays selectable
 * without JavaScript.
 */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) return;
    var status = button.parentNode.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { if (status) status.textContent = "Copied."; },
        function () { if (status) status.textContent = "Copy failed: select the URL and copy it."; }
      );
    });
  });
})();
