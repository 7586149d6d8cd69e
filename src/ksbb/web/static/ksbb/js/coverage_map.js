/* Draws the coverage map (a choropleth of the child areas, colour = percent covered) from
   the JSON block the page embeds (<script type="application/json" id="coverage-map-data">):
   the boundaries stored by `ksbb load_boundaries`, registered with ECharts; no tile server.
   Without JavaScript the bars and the table show the same numbers. */
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("coverage-map");
    var block = document.getElementById("coverage-map-data");
    if (!el || !block || typeof echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var lang = (document.documentElement.lang || "id").slice(0, 2);
    var labels = {};
    data.rows.forEach(function (r) { labels[r.name] = r; });
    echarts.registerMap("ksbb-coverage", data.geojson);
    el.hidden = false;
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "item", formatter: function (p) {
        var r = labels[p.name];
        if (!r) { return p.name; }
        var pct = r.value === null ? "–" : r.value.toLocaleString(lang, {maximumFractionDigits: 1}) + "%";
        return r.label + "<br>" + r.covered.toLocaleString(lang) + " / " + r.need.toLocaleString(lang) + " (" + pct + ")";
      }},
      visualMap: {min: 0, max: 100, left: 8, bottom: 8, calculable: false, text: ["100%", "0%"],
        inRange: {color: ["#d7301f", "#fdcc8a", "#1a9850"]}},
      series: [{type: "map", map: "ksbb-coverage", roam: true, nameProperty: "name",
        emphasis: {label: {show: false}},
        data: data.rows.map(function (r) { return {name: r.name, value: r.value}; })}]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
