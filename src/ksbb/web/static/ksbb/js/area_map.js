/* Choropleths of the public pages: for each <div data-area-map="ID">, the JSON block #ID
   (see web/public/maps.py) gives the outlines' address and the rows (code, label, need,
   done, percent, href). The outlines are fetched from this site (no tiles, no other host);
   the colour is the share of the need covered; a click follows the row's link (drill-down,
   or the pledge form). Without JavaScript the table under the map shows the same rows. */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "id").slice(0, 2);

  function number(v) { return Math.round(v).toLocaleString(lang); }

  function draw(el) {
    var block = document.getElementById(el.getAttribute("data-area-map"));
    if (!block || typeof window.echarts === "undefined" || !window.fetch) { return; }
    var data = JSON.parse(block.textContent);
    var byCode = {};
    data.rows.forEach(function (r) { byCode[r.code] = r; });
    fetch(data.geo_url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("map outlines: " + response.status); }
      return response.json();
    }).then(function (geojson) {
      if (!geojson.features || !geojson.features.length) { return; }
      var name = "ksbb:" + data.geo_url;
      window.echarts.registerMap(name, geojson);
      el.hidden = false;
      var legend = el.parentNode.querySelector(".map-legend");
      if (legend) { legend.hidden = false; }
      var chart = window.echarts.init(el, null, {renderer: "svg"});
      chart.setOption({
        tooltip: {trigger: "item", formatter: function (p) {
          var r = byCode[p.name];
          var feature = geojson.features.filter(function (f) { return f.properties.code === p.name; })[0];
          if (!r) { return (feature ? feature.properties.name : p.name) + "<br>–"; }
          var pct = r.percent === null ? "–" : r.percent.toLocaleString(lang, {maximumFractionDigits: 1}) + "%";
          return r.label + "<br>" + data.done_label + ": " + number(r.done) + "<br>" +
            data.need_label + ": " + number(r.need) + "<br>" + pct;
        }},
        visualMap: {min: 0, max: 100, left: 8, bottom: 8, calculable: false, itemHeight: 90,
          text: ["100%", "0%"], inRange: {color: ["#d7301f", "#fdcc8a", "#1a9850"]},
          outOfRange: {color: "#ddd"}},
        series: [{type: "map", map: name, nameProperty: "code", roam: false,
          selectedMode: false, label: {show: false},
          emphasis: {label: {show: true, formatter: function (p) {
            var r = byCode[p.name]; return r ? r.label : "";
          }}},
          itemStyle: {borderColor: "#fff", borderWidth: 0.6, areaColor: "#eee"},
          data: data.rows.map(function (r) {
            return {name: r.code, value: r.percent === null ? (r.done ? 100 : "-") : Math.min(r.percent, 100)};
          })}]
      });
      chart.on("click", function (p) {
        var r = byCode[p.name];
        if (r && r.href) { window.location.href = r.href; }
      });
      var details = el.parentNode.querySelector("details.chart-data");
      if (details) { details.open = false; }
      window.addEventListener("resize", function () { chart.resize(); });
    }).catch(function () { /* the table stays */ });
  }

  function start() {
    document.querySelectorAll("[data-area-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
