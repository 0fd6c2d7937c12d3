/* splinternet dashboard: a tooltip that follows the pointer over the maps and flow charts (the SVG's own
   <title> says the same without a script). No library, no network. */
(function () {
  "use strict";
  var tip = document.getElementById("map-tip");
  if (!tip) { return; }
  function titleOf(target) {
    var node = target;
    while (node && node.nodeType === 1 && node.tagName.toLowerCase() !== "svg") {
      var t = node.querySelector ? node.querySelector(":scope > title") : null;
      if (t && (node.classList.contains("country") || node.classList.contains("flow"))) { return t.textContent; }
      node = node.parentNode;
    }
    return null;
  }
  document.querySelectorAll("svg.world-map, svg.flows").forEach(function (svg) {
    svg.addEventListener("mousemove", function (event) {
      var text = titleOf(event.target);
      if (!text) { tip.hidden = true; return; }
      tip.textContent = text;
      tip.hidden = false;
      var x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
      tip.style.left = Math.max(x, 4) + "px";
      tip.style.top = (event.clientY + 16) + "px";
    });
    svg.addEventListener("mouseleave", function () { tip.hidden = true; });
  });
})();
