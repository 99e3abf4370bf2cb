/* Alliance Portal: show a time in the viewer's own time zone next to the one the page was written in.
 *
 * <span data-local-time="2026-05-04T16:00:00+00:00" data-zone="Europe/Brussels" hidden></span>
 * is filled with the time in the browser's zone and shown, unless that zone is the event's own (then the
 * page already says it), or unless the server wrote it already (``data-rendered``: it knew the viewer's zone, from
 * their profile or the cookie of js/zone.js). Without JavaScript the page keeps what the server wrote. No
 * dependencies.
 *
 * The words (weekday, month) are in the page's language (<html lang>), not the browser's: an English page shows
 * English dates in a French browser. Times are 24-hour, as everywhere else on the site.
 */
(function () {
  "use strict";
  var viewerZone = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone || "";
  var format = {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    timeZoneName: "short"
  };

  function pageLanguage() {
    var lang = (document.documentElement.getAttribute("lang") || "").trim();
    try {
      return lang && Intl.DateTimeFormat.supportedLocalesOf([lang]).length ? lang : "en";
    } catch (error) {
      return "en";  // a lang attribute that is not a language tag
    }
  }

  function fill(root) {
    var language = pageLanguage();
    var elements = (root || document).querySelectorAll("[data-local-time]");
    Array.prototype.forEach.call(elements, function (element) {
      var moment = new Date(element.getAttribute("data-local-time"));
      if (isNaN(moment.getTime())) { return; }
      if (element.hasAttribute("data-rendered")) { return; }  // the server knew the viewer's zone and wrote it
      if (viewerZone && viewerZone === element.getAttribute("data-zone")) { return; }
      var text = moment.toLocaleString(language, format);
      var end = element.getAttribute("data-local-end");
      if (end) {
        var until = new Date(end);
        if (!isNaN(until.getTime())) { text += " – " + until.toLocaleString(language, format); }
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
