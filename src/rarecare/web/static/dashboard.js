/* RareCare charts: ECharts (vendored) on elements marked data-chart; no inline script (CSP). */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var teal = "#0f5c6e";
  // numbers as the page's language writes them ("1.234,5" in Vietnamese, "1,234.5" in English)
  var locale = document.documentElement.lang === "vi" ? "vi-VN" : "en-GB";
  var billion = document.documentElement.lang === "vi" ? " tỷ" : " bn";
  function number(v) { return Number(v).toLocaleString(locale, { maximumFractionDigits: 2 }); }

  function spark(el) {
    var points = JSON.parse(el.dataset.series || "[]");
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 0, right: 0, top: 2, bottom: 2 },
      xAxis: { type: "category", show: false, data: points.map(function (p) { return p[0]; }) },
      yAxis: { type: "value", show: false, scale: true },
      series: [{ type: "line", data: points.map(function (p) { return p[1]; }), symbol: "none",
                 connectNulls: true, lineStyle: { width: 1.5, color: teal } }]
    });
  }

  function line(el) {
    var data = JSON.parse(el.dataset.series || "{}");
    var points = data.points || [];
    var chart = echarts.init(el);
    var series = { type: "line", data: points.map(function (p) { return p[1]; }), connectNulls: true,
                   itemStyle: { color: teal } };
    if (data.target !== null && data.target !== undefined) {
      series.markLine = { symbol: "none", data: [{ yAxis: data.target }], lineStyle: { type: "dashed" } };
    }
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "–" : number(v); } },
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      xAxis: { type: "category", data: points.map(function (p) { return p[0]; }) },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: number } },
      series: [series]
    });
  }

  function map(el) {
    var spec = JSON.parse(el.dataset.map || "{}");
    fetch(spec.geo).then(function (r) { return r.json(); }).then(function (geo) {
      var key = spec.geo;
      echarts.registerMap(key, geo);
      var values = spec.values || {};
      var numbers = Object.keys(values).map(function (k) { return values[k]; })
        .filter(function (v) { return v !== null; });
      var chart = echarts.init(el);
      chart.setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          var name = spec.names[p.name] || p.name;
          return name + ": " + (isNaN(p.value) ? "–" : number(p.value));
        } },
        visualMap: { min: numbers.length ? Math.min.apply(null, numbers) : 0,
                     max: numbers.length ? Math.max.apply(null, numbers) : 1,
                     left: 0, bottom: 0, calculable: true,
                     inRange: { color: ["#e0f2f1", "#4db6ac", "#00695c"] } },
        series: [{ type: "map", map: key, nameProperty: "code", roam: true,
                   emphasis: { label: { show: false } },
                   data: Object.keys(values).map(function (k) { return { name: k, value: values[k] }; }) }]
      });
      el.dataset.ready = "true";
      if (spec.link) {
        chart.on("click", function (p) { window.location = spec.link.replace("{code}", p.name); });
      }
    });
  }

  function bars(el) {
    var data = JSON.parse(el.dataset.series || "{}");
    var colours = [teal, "#c0392b", "#7f8c8d"];
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: function (v) { return number(Math.round(v)) + " ₫"; } },
      legend: { top: 0 },
      grid: { left: 96, right: 16, top: 32, bottom: 32 },
      xAxis: { type: "category", data: data.categories || [] },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return number(v / 1e9) + billion; } } },
      series: (data.series || []).map(function (s, i) {
        return { name: s.name, type: "bar", stack: "cost", data: s.data, itemStyle: { color: colours[i % 3] } };
      })
    });
    el.dataset.ready = "true";
  }

  function init(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = "true";
      var kind = el.dataset.chart;
      if (kind === "spark") { spark(el); } else if (kind === "line") { line(el); }
      else if (kind === "map") { map(el); } else if (kind === "bars") { bars(el); }
    });
  }

  init(document);
  // panels loaded by htmx (a patient's costs) get their charts too
  document.body.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
})();
