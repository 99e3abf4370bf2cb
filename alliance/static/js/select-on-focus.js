/* Alliance Portal: a secret shown once (a new API key, a webhook's signing secret) is selected when its field gets
 * the focus, ready to copy.
 *
 * <input readonly value="..." data-select-on-focus>
 *
 * A file rather than an inline onfocus="..." handler, which the Content-Security-Policy refuses. No dependencies.
 */
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });
})();
