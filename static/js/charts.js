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
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
  /* plotly's zh-CN locale writes short months as bare numerals (九 20): date axes get the
     Chinese month-and-day form instead (9月20日), unless the figure sets its own format. */
  function chineseDates(data, layout) {
    data.forEach(function (trace) {
      var x = trace.x || [];
      if (!x.length || !ISO_DATE.test(String(x[0]))) { return; }
      var name = "xaxis" + (trace.xaxis && trace.xaxis !== "x" ? trace.xaxis.slice(1) : "");
      var axis = layout[name] = layout[name] || {};
      if (!axis.tickformat) { axis.tickformat = "%-m月%-d日"; }
      if (!axis.hoverformat) { axis.hoverformat = "%Y年%-m月%-d日"; }
    });
  }
  function draw(root) {
    root.querySelectorAll("[data-plotly-json]").forEach(function (el) {
      if (el.dataset.plotlyDrawn) { return; }
      var source = document.getElementById(el.dataset.plotlyJson);
      if (!source || typeof Plotly === "undefined") { return; }
      var spec = JSON.parse(source.textContent);
      if (typeof spec === "string") { spec = JSON.parse(spec); }
      var layout = spec.layout || {};
      if (page.plotlySeparators && !layout.separators) { layout.separators = page.plotlySeparators; }
      if (page.plotlyLocale === "zh-CN") { chineseDates(spec.data || [], layout); }
      el.dataset.plotlyDrawn = "1";
      Plotly.newPlot(el, spec.data, layout, {
        responsive: true, displaylogo: false, locale: page.plotlyLocale || "en"
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
})();
