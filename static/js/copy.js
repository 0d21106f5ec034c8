/*
 * Copy buttons: <button data-copy-target="ID" hidden> copies the text of the element with that id,
 * <button data-copy-text="TEXT" hidden> copies TEXT (e.g. a shortened Person Code's full value).
 * The button starts hidden and is shown only when the browser can copy; the text stays selectable
 * without JavaScript. A .copy-status next to the button says whether it worked.
 */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-target], [data-copy-text]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    var fixed = button.getAttribute("data-copy-text");
    if (!source && fixed === null) return;
    var status = button.parentNode.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source ? source.textContent.trim() : fixed;
      navigator.clipboard.writeText(text).then(
        function () { if (status) status.textContent = "Copied."; },
        function () { if (status) status.textContent = "Copy failed: select the text and copy it."; }
      );
    });
  });
})();
