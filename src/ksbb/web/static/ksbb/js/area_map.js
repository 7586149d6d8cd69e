/* Choropleths of the public pages: for each <div data-area-map="ID">, the JSON block #ID
   (see web/public/maps.py) gives the outlines' address and the rows (code, label, need,
   done, percent, href). The outlines are fetched from this site (no tiles, no other host);
   the colour is the share of the need covered; a click follows the row's link (drill-down,
   or the pledge form). Without JavaScript the table under the map shows the same rows. */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "id").slice(0, 2);

  function number(v) { return Math.round(v).toLocaleString(lang); }

  function rings(geometry) {
    return geometry.type === "Polygon" ? [geometry.coordinates[0]]
      : geometry.coordinates.map(function (polygon) { return polygon[0]; });
  }

  // The view frames the areas that matter: Kepulauan Seribu's islands lie 100 km north of
  // mainland Jakarta and would shrink it to a corner. The frame holds the areas of at least
  // a tenth of the largest one's surface, and every area lying near them; the others stay
  // in the table (and on the map where they fall inside the frame).
  function frame(geojson) {
    var features = geojson.features;
    var sizes = features.map(function (f) {
      var area = 0;
      rings(f.geometry).forEach(function (ring) {
        for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          area += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
        }
      });
      return Math.abs(area / 2);
    });
    var boxes = features.map(function (f) {
      var b = [Infinity, -Infinity, -Infinity, Infinity];  // west, north, east, south
      rings(f.geometry).forEach(function (ring) {
        ring.forEach(function (pt) {
          b[0] = Math.min(b[0], pt[0]); b[2] = Math.max(b[2], pt[0]);
          b[1] = Math.max(b[1], pt[1]); b[3] = Math.min(b[3], pt[1]);
        });
      });
      return b;
    });
    function union(keep) {
      var u = [Infinity, -Infinity, -Infinity, Infinity];
      boxes.forEach(function (b, n) {
        if (!keep(n)) { return; }
        u = [Math.min(u[0], b[0]), Math.max(u[1], b[1]), Math.max(u[2], b[2]), Math.min(u[3], b[3])];
      });
      return u;
    }
    var largest = Math.max.apply(null, sizes);
    var big = union(function (n) { return sizes[n] >= largest * 0.1; });
    var w = (big[2] - big[0]) / 2, h = (big[1] - big[3]) / 2;
    var near = [big[0] - w, big[1] + h, big[2] + w, big[3] - h];
    var main = union(function (n) {
      var b = boxes[n];
      return b[0] >= near[0] && b[1] <= near[1] && b[2] <= near[2] && b[3] >= near[3];
    });
    return [[main[0], main[1]], [main[2], main[3]]];
  }

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
          boundingCoords: frame(geojson),
          selectedMode: false, label: {show: false},
          emphasis: {label: {show: false}},  // the tooltip names the area
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
