/* Draws the public dashboard's charts from the JSON block the page embeds
   (<script type="application/json" id="dashboard-data">). Without JavaScript, or if
   ECharts is missing, the tables under each chart show the same numbers. */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "id").slice(0, 2);
  var english = lang === "en";

  function rupiah(value) {
    // Rupiah always group thousands with dots: "Rp 15.000.000".
    return "Rp " + Math.round(value).toLocaleString("id-ID");
  }

  function percent(value) {
    return value.toLocaleString(lang, {maximumFractionDigits: 1}) + "%";
  }

  function compactRupiah(value) {
    var units = english ? [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "K"]]
      : [[1e12, "T"], [1e9, "M"], [1e6, "jt"], [1e3, "rb"]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(value) >= units[i][0]) {
        return "Rp " + (value / units[i][0]).toLocaleString(lang, {maximumFractionDigits: 1}) + " " + units[i][1];
      }
    }
    return rupiah(value);
  }

  function count(value) {
    return Math.round(value).toLocaleString(lang);
  }

  function sharesOption(type, rows, unit) {
    var money = unit !== "count";
    var show = money ? rupiah : count;
    var labels = rows.map(function (r) { return r.label; });
    if (type === "pie") {
      return {
        tooltip: {trigger: "item", formatter: function (p) {
          return p.name + "<br>" + show(p.value) + " (" + percent(rows[p.dataIndex].percent) + ")";
        }},
        legend: {bottom: 0, left: "center", type: "plain", itemGap: 6,
          formatter: function (name) {
            var row = rows.filter(function (r) { return r.label === name; })[0];
            return row ? name + " " + percent(row.percent) : name;
          }},
        series: [{type: "pie", radius: ["28%", "52%"], center: ["50%", "38%"],
          label: {show: false},
          data: rows.map(function (r) { return {name: r.label, value: r.value}; })}]
      };
    }
    return {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, formatter: function (ps) {
        var r = rows[ps[0].dataIndex];
        return r.label + "<br>" + show(r.value) + " (" + percent(r.percent) + ")";
      }},
      grid: {left: 8, right: 56, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value", axisLabel: {show: false}},
      yAxis: {type: "category", inverse: true, data: labels,
        axisLabel: {width: 130, overflow: "break", lineHeight: 14}},
      series: [{type: "bar", barMaxWidth: 28, data: rows.map(function (r) { return r.value; }),
        label: {show: true, position: "right", formatter: function (p) {
          return percent(rows[p.dataIndex].percent);
        }}}]
    };
  }

  function weeklyOption(weeks, unit) {
    // Bars, not a line: a week stands on its own, and a short series still reads.
    var money = unit !== "count";
    return {
      tooltip: {trigger: "axis", formatter: function (ps) {
        return ps[0].axisValue + "<br>" + (money ? rupiah(ps[0].value) : count(ps[0].value));
      }},
      grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: weeks.map(function (w) { return w.week_start; })},
      yAxis: {type: "value", axisLabel: {formatter: money ? compactRupiah : count}},
      series: [{type: "bar", barMaxWidth: 36,
        data: weeks.map(function (w) { return w.value; })}]
    };
  }

  function draw() {
    var block = document.getElementById("dashboard-data");
    if (!block || typeof window.echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var charts = [];
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-chart");
      var type = el.getAttribute("data-type");
      var unit = el.getAttribute("data-unit");
      var rows = data[key] || [];
      var limit = parseInt(el.getAttribute("data-limit") || "0", 10);
      if (limit && rows.length > limit) {
        rows = rows.slice(0, limit);
        var note = el.parentNode.querySelector(".chart-note");
        if (note) { note.hidden = false; }
      }
      var option = type === "weekly" ? weeklyOption(rows, unit) : sharesOption(type, rows, unit);
      el.hidden = false;
      if (type === "pie") {
        el.style.height = (300 + Math.ceil(rows.length / 2) * 22) + "px";
      } else if (type === "bar") {
        // Room for each bar and its (possibly wrapped) label.
        el.style.height = Math.max(220, rows.length * 38 + 24) + "px";
      }
      var chart = window.echarts.init(el, null, {renderer: "svg"});
      chart.setOption(option);
      charts.push(chart);
      var details = el.parentNode.querySelector("details.chart-data");
      if (details) { details.open = false; }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
