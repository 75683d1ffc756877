// Wide tables scroll sideways inside the wrapper Material adds around them. Give each wrapper
// keyboard focus and a name, so the hidden columns can be reached without a mouse (axe's
// scrollable-region-focusable); runs after Material's own handler on every (instant) page load.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (wrap) {
    wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", "Table (scrolls sideways)");
  });
});
