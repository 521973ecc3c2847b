/* Draw every plotly chart on the page from its embedded JSON (plotly.js is served locally):
   an element with data-plotly-json="ID" is drawn from <script type="application/json" id="ID">,
   which holds the figure, or the figure's JSON as a string (the json_script filter's output).
   The page's language comes from <html data-plotly-locale data-plotly-separators> (base.html):
   plotly's locale (month names, the modebar's tips; its file is loaded by base.html) and the
   decimal and thousands marks, unless the figure sets its own. Titles and axis labels arrive
   from the server already translated. */
(function () {
  "use strict";
  var page = document.documentElement.dataset;
  function draw(root) {
    root.querySelectorAll("[data-plotly-json]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) { return; }
      var source = document.getElementById(el.dataset.plotlyJson);
      if (!source || typeof Plotly === "undefined") { return; }
      var spec = JSON.parse(source.textContent);
      if (typeof spec === "string") { spec = JSON.parse(spec); }
      var layout = spec.layout || {};
      if (page.plotlySeparators && !layout.separators) { layout.separators = page.plotlySeparators; }
      el.dataset.plotlyDrawn = "1";
      Plotly.newPlot(el, spec.data, layout, {
        responsive: true, displaylogo: false, locale: page.plotlyLocale || "en"
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
