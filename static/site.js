// Progressive enhancements only; every page works without this file.
(function () {
  "use strict";

  // "/" moves focus to the header search box, unless the reader is already typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var box = document.getElementById("site-q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Source pages: "#L7-L15" highlights lines 7 to 15 (CSS :target alone can only mark one element).
  function highlight() {
    var old = document.querySelectorAll(".line.hl");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("hl");
    var match = /^#L(\d+)(?:-L(\d+))?$/.exec(window.location.hash);
    if (!match) return;
    var first = Number(match[1]), last = Number(match[2] || match[1]);
    for (var n = first; n <= last; n++) {
      var line = document.getElementById("L" + n);
      if (line) line.classList.add("hl");
    }
    // A range no item starts has no element of its own for the browser to scroll to.
    var start = document.getElementById("L" + first);
    if (start && !document.getElementById(window.location.hash.slice(1))) start.scrollIntoView();
  }
  window.addEventListener("hashchange", highlight);
  highlight();
})();
