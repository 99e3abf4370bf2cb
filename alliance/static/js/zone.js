/* Alliance Portal: tell the server the browser's time zone (a cookie holding a zone name such as Europe/Berlin),
 * so the next page shows times in it. A signed-in person's zone saved on their profile wins over it; without
 * JavaScript, times are shown in the portal's zone, with its name. No dependencies.
 */
(function () {
  "use strict";
  var zone = (Intl.DateTimeFormat().resolvedOptions() || {}).timeZone || "";
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  var current = (document.cookie.match(/(?:^|;\s*)alliance_tz=([^;]*)/) || [])[1];
  if (current === zone) { return; }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "alliance_tz=" + zone + "; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
})();
