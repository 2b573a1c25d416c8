// The bar charts of a survey's results (templates/surveys/results.html), drawn by Chart.js from the numbers the
// page carries as JSON (json_script: no inline script, CSP). The same numbers are in the table under each chart,
// which is what screen readers and people without JavaScript read; the chart itself is aria-hidden.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    return;
  }
  var lang = document.documentElement.lang || undefined;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var styles = window.getComputedStyle(document.documentElement);
  var colour = styles.getPropertyValue("--portal-teal").trim() || "#0b5d7a";
  var ink = styles.getPropertyValue("--portal-ink").trim() || "#1b2b33";

  document.querySelectorAll("canvas[data-chart-data]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-data"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var figure = canvas.closest("figure");
    if (figure) {
      figure.hidden = false;
    }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.axis, data: data.counts, backgroundColor: colour }],
      },
      options: {
        indexAxis: "y",
        animation: reduceMotion ? false : undefined,
        // Wide for two bars, taller for more, so each bar keeps its room.
        aspectRatio: Math.max(1.2, 8 / (data.labels.length + 1)),
        color: ink,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var percent = Number(data.percents[context.dataIndex]).toLocaleString(lang);
                return context.parsed.x.toLocaleString(lang) + " (" + percent + "%)";
              },
            },
          },
        },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0, color: ink }, title: { display: true, text: data.axis, color: ink } },
          y: { ticks: { color: ink } },
        },
      },
    });
  });
})();
