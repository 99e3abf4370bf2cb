// Phones: the header's menu and a list's filters fold behind one button each. Without JavaScript both stay open.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 48rem)");

  function setUpMenu() {
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".nav-toggle");
    if (!toggle) return;
    header.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("nav-open", open);
    });
  }

  // A list's filters besides the search (.filters-more): folded behind the "Filters" button on a phone unless one is
  // in use (a choice other than a list's first, its default, or a typed value).
  function foldFilters() {
    document.querySelectorAll("form.filters").forEach(function (form) {
      var toggle = form.querySelector(".filters-toggle");
      var more = form.querySelector(".filters-more");
      if (!toggle || !more) return;
      var inUse = Array.prototype.some.call(more.querySelectorAll("select, input"), function (field) {
        return field.tagName === "SELECT" ? field.selectedIndex > 0 : field.value !== "";
      });
      var folded = narrow.matches && !inUse;
      toggle.hidden = !narrow.matches;
      toggle.setAttribute("aria-expanded", folded ? "false" : "true");
      form.classList.toggle("filters-folded", folded);
      if (!toggle.dataset.ready) {
        toggle.dataset.ready = "1";
        toggle.addEventListener("click", function () {
          var open = toggle.getAttribute("aria-expanded") !== "true";
          toggle.setAttribute("aria-expanded", open ? "true" : "false");
          form.classList.toggle("filters-folded", !open);
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    foldFilters();
    narrow.addEventListener("change", foldFilters);
  });
})();
