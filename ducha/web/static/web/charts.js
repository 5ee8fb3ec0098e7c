// Renders the dashboard charts from JSON data blocks (no inline scripts: CSP).
// Each <div data-chart="bar-h|line" data-source="id"> reads <script id="id" type="application/json">.
(function () {
  "use strict";
  var palette = ["#a61b1b", "#d9822b", "#2f6f9f", "#4f8a3c", "#7d5ba6", "#8c8c8c"];

  // A value as a bar's label shows it: percentages with one decimal (85.3%).
  function shown(d, v) {
    return d.unit === "%" ? Number(v).toFixed(1) + "%" : String(v) + (d.unit || "");
  }

  function option(kind, d, width) {
    var empty = d.labels.length === 0;
    var base = { color: palette, title: { text: d.title, left: "center", textStyle: { fontSize: 14 },
        subtext: empty ? d.empty : "", subtextStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" }, grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true } };
    if (kind === "bar-h") {
      // The first label on top; each bar labelled with its value ("85.3%"); long labels
      // (category names) wrap instead of being cut.
      base.grid.right = 64;
      base.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return shown(d, v); } };
      base.yAxis = { type: "category", data: d.labels.slice().reverse(),
        axisLabel: { fontSize: 12, interval: 0, width: Math.round(Math.min(240, Math.max(120, width * 0.38))),
          overflow: "break", lineHeight: 15 } };
      base.xAxis = { type: "value", max: d.max, minInterval: 1, axisLabel: { formatter: "{value}" + (d.unit || "") } };
      base.series = [{ type: "bar", data: d.values.slice().reverse(), barMaxWidth: 28,
        label: { show: true, position: "right", formatter: function (p) { return shown(d, p.value); } } }];
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
    if (kind === "bar-h") {
      var wrapped = data.labels.some(function (l) { return l.length > 14; });
      el.style.height = Math.max(320, data.labels.length * (wrapped ? 40 : 22) + 60) + "px";
    }
    var chart = window.echarts.init(el);
    chart.setOption(option(kind, data, el.clientWidth));
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
