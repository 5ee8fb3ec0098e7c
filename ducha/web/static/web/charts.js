// Renders the dashboard charts from JSON data blocks (no inline scripts: CSP).
// Each <div data-chart="bar|bar-h|line" data-source="id"> reads <script id="id" type="application/json">.
(function () {
  "use strict";
  var palette = ["#a61b1b", "#d9822b", "#2f6f9f", "#4f8a3c", "#7d5ba6", "#8c8c8c"];

  function option(kind, d) {
    var empty = d.labels.length === 0;
    var base = { color: palette, title: { text: d.title, left: "center", textStyle: { fontSize: 14 },
        subtext: empty ? d.empty : "", subtextStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" }, grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true } };
    if (kind === "bar-h") {
      base.yAxis = { type: "category", data: d.labels.slice().reverse(), axisLabel: { fontSize: 11 } };
      base.xAxis = { type: "value", max: 100, axisLabel: { formatter: "{value}" + (d.unit || "") } };
      base.series = [{ type: "bar", data: d.values.slice().reverse(), label: { show: true, position: "right", formatter: "{c}" + (d.unit || "") } }];
    } else if (kind === "bar") {
      base.xAxis = { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: 30, fontSize: 10,
        formatter: function (v) { return v.length > 10 ? v.slice(0, 10) + "…" : v; } } };
      base.yAxis = { type: "value" };
      base.series = [{ type: "bar", data: d.values }];
    } else {
      base.legend = { bottom: 0 };
      base.grid.bottom = 30;
      base.xAxis = { type: "category", data: d.labels };
      base.yAxis = { type: "value" };
      base.series = d.series.map(function (s) { return { type: "line", name: s.name, data: s.values, smooth: true }; });
    }
    return base;
  }

  function render(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var kind = el.dataset.chart;
    if (kind === "bar-h") { el.style.height = Math.max(320, data.labels.length * 22 + 60) + "px"; }
    var chart = window.echarts.init(el);
    chart.setOption(option(kind, data));
    chart.on("click", function (p) {
      // Every figure links to the filtered list behind it.
      var links = data.links;
      if (links) {
        var i = kind === "bar-h" ? data.labels.length - 1 - p.dataIndex : p.dataIndex;
        if (links[i]) { window.location.href = links[i]; }
      } else if (data.link) { window.location.href = data.link; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.rendered = "1";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart]").forEach(render);
  });
})();
