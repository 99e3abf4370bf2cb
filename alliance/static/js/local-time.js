/* Alliance Portal: show a time in the viewer's own time zone next to the one the page was written in.
 *
 * <span data-local-time="2026-05-04T16:00:00+00:00" data-zone="Europe/Brussels" hidden></span>
 * is filled with the time in the browser's zone and shown, unless that zone is the event's own (then the
 * page already says it). Without JavaScript the page keeps the event's time zone only. No dependencies.
 */
(function () {
  "use strict";
  var viewerZone = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone || "";
  var format = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };

  function fill(root) {
    var elements = (root || document).querySelectorAll("[data-local-time]");
    Array.prototype.forEach.call(elements, function (element) {
      var moment = new Date(element.getAttribute("data-local-time"));
      if (isNaN(moment.getTime())) { return; }
      if (viewerZone && viewerZone === element.getAttribute("data-zone")) { return; }
      var text = moment.toLocaleString(undefined, format);
      var end = element.getAttribute("data-local-end");
      if (end) {
        var until = new Date(end);
        if (!isNaN(until.getTime())) { text += " – " + until.toLocaleString(undefined, format); }
      }
      var target = element.querySelector("[data-local-text]") || element;
      target.textContent = text;
      element.title = viewerZone ? "In your time zone (" + viewerZone + ")" : "In your time zone";
      element.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () { fill(document); });
  document.addEventListener("htmx:afterSwap", function (event) { fill(event.target); });
})();
