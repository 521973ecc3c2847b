/* Draw every plotly chart on the page from its embedded JSON (plotly.js is served locally):
   an element with data-plotly-json="ID" is drawn from <script type="application/json" id="ID">,
   which holds the figure, or the figure's JSON as a string (the json_script filter's output). */
(function () {
  "use strict";
  function draw(root) {
    root.querySelectorAll("[data-plotly-json]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) { return; }
      var source = document.getElementById(el.dataset.plotlyJson);
      if (!source || typeof Plotly === "undefined") { return; }
      var spec = JSON.parse(source.textContent);
      if (typeof spec === "string") { spec = JSON.parse(spec); }
      el.dataset.plotlyDrawn = "1";
      Plotly.newPlot(el, spec.data, spec.layout, { responsive: true, displaylogo: false });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
