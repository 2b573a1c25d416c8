// The charts of the impact page (templates/cockpit/impact.html), drawn by Chart.js from the numbers each figure
// carries as JSON (json_script: no inline script, CSP), in the shape cockpit.figures.Figure.chart_data gives:
// {kind: "bar" | "stacked" | "horizontal" | "line", unit, labels, datasets: [{label, data}]}. The same numbers are
// in the table under each chart, which is what screen readers and people without JavaScript read: the canvas is
// aria-hidden, and its box stays hidden until the chart is drawn. A value hidden for privacy (fewer than 5 people)
// is null here: no bar, a gap in a line.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var lang = document.documentElement.lang || undefined;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var styles = window.getComputedStyle(document.documentElement);
  var ink = styles.getPropertyValue("--portal-ink").trim() || "#1b2b33";
  var line = styles.getPropertyValue("--portal-line").trim() || "#d5e0e4";
  // Okabe & Ito's colour-blind-safe palette, darkened where needed to 3:1 or more on white (WCAG 1.4.11); the PDF
  // uses the same colours in the same order (cockpit/pdf.py). Lines also differ by dash and marker.
  var palette = ["#0072b2", "#d55e00", "#8a6a00", "#a8507f", "#007a5a", "#555555"];
  var dashes = [[], [6, 3], [2, 3], [8, 3, 2, 3]];
  var markers = ["circle", "rect", "rectRot", "triangle"];
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  var charts = [];

  function format(value) {
    return value === null || value === undefined ? "" : numbers.format(value);
  }

  function options(data) {
    var horizontal = data.kind === "horizontal";
    var stacked = data.kind === "stacked";
    var whole = data.datasets.every(function (set) {
      return set.data.every(function (value) { return value === null || Number.isInteger(value); });
    });
    var valueAxis = {
      beginAtZero: true,
      stacked: stacked,
      grid: { color: line },
      ticks: { color: ink, precision: whole ? 0 : undefined, callback: format },
      title: { display: Boolean(data.unit), text: data.unit, color: ink },
    };
    var categoryAxis = { stacked: stacked, grid: { display: false }, ticks: { color: ink, autoSkip: !horizontal } };
    return {
      indexAxis: horizontal ? "y" : "x",
      animation: reduceMotion ? false : undefined,
      // The chart fills its box, whose height the stylesheet sets (and this script, for horizontal bars): Chart.js
      // keeping an aspect ratio itself grows back unreliably when a narrowed window widens again.
      maintainAspectRatio: false,
      color: ink,
      locale: lang,
      spanGaps: false,
      plugins: {
        legend: { display: data.datasets.length > 1, position: "bottom", labels: { color: ink, usePointStyle: data.kind === "line" } },
        tooltip: {
          callbacks: {
            label: function (context) {
              var value = horizontal ? context.parsed.x : context.parsed.y;
              var name = data.datasets.length > 1 ? context.dataset.label + ": " : "";
              return name + format(value) + (data.unit ? " (" + data.unit + ")" : "");
            },
          },
        },
      },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
    };
  }

  function datasets(data) {
    return data.datasets.map(function (set, index) {
      var colour = palette[index % palette.length];
      var dataset = { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour };
      if (data.kind === "line") {
        dataset.borderWidth = 2;
        dataset.borderDash = dashes[index % dashes.length];
        dataset.pointStyle = markers[index % markers.length];
        dataset.pointRadius = 4;
        dataset.tension = 0;
      } else {
        // A white edge between stacked parts and neighbouring bars, so touching colours stay apart.
        dataset.borderColor = "#ffffff";
        dataset.borderWidth = data.kind === "stacked" ? 1 : 0;
      }
      return dataset;
    });
  }

  document.querySelectorAll("canvas[data-chart-data]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-data"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var box = canvas.parentElement;
    box.hidden = false;
    if (data.kind === "horizontal") {
      // One row of bars per label, so long labels (pairs of domains) keep their room however many there are.
      box.style.height = Math.max(8, data.labels.length * (1.2 + 0.9 * data.datasets.length) + 4) + "rem";
    }
    charts.push(
      new window.Chart(canvas, {
        type: data.kind === "line" ? "line" : "bar",
        data: { labels: data.labels, datasets: datasets(data) },
        options: options(data),
      })
    );
  });

  // Printed, each chart is redrawn at the paper's width rather than the screen's.
  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
