/* Charts for the figures view. */
import { FIGURE_TABLES, groupLabel } from "./figures.js";
import { state } from "./state.js";
import { $, clear, t, term } from "./ui.js";

// --- Charts: hand-made SVG (a few bar charts need no library, and nothing is loaded from
// elsewhere); each has a <title> and its numbers as text, and prints as it is shown.

export var SVG_NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs, text) {
  var el = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (name) {
    el.setAttribute(name, String(attrs[name]));
  });
  if (text !== undefined) el.textContent = text;
  return el;
}

export function number(value) {
  return state.lang === "en" ? String(value) : String(value).replace(".", ",");
}

/** A bar chart: `bars` [{label, value (null: hidden), target}] drawn as columns, a hidden one
 *  as an empty outline marked "..", a target as a line across its column. */
export function barChart(id, title, bars) {
  var width = Math.max(320, 40 + bars.length * 34);
  var height = 220;
  var top = 24;
  var base = 160;
  var max = 1;
  bars.forEach(function (bar) {
    max = Math.max(max, bar.value || 0, bar.target || 0);
  });
  var chart = svg("svg", {
    id: id, class: "chart", role: "img", viewBox: "0 0 " + width + " " + height, width: width, height: height,
    "aria-labelledby": id + "-title"
  });
  chart.appendChild(svg("title", { id: id + "-title" }, title));
  chart.appendChild(svg("text", { x: 4, y: 14, class: "chart-title" }, title));
  chart.appendChild(svg("line", { x1: 30, y1: base, x2: width - 4, y2: base, class: "chart-axis" }));
  bars.forEach(function (bar, index) {
    var x = 36 + index * 34;
    var g = svg("g", { class: "bar", "data-label": bar.label, "data-value": bar.value === null ? ".." : bar.value });
    if (bar.value === null) {
      g.appendChild(svg("rect", { x: x, y: base - 20, width: 24, height: 20, class: "bar-hidden" }));
      g.appendChild(svg("text", { x: x + 12, y: base - 24, class: "bar-value" }, ".."));
    } else {
      var barHeight = Math.round((bar.value / max) * (base - top));
      g.appendChild(svg("rect", { x: x, y: base - barHeight, width: 24, height: barHeight, class: "bar-shown" }));
      g.appendChild(svg("text", { x: x + 12, y: base - barHeight - 4, class: "bar-value" }, number(bar.value)));
    }
    if (bar.target !== undefined && bar.target !== null) {
      var y = base - Math.round((bar.target / max) * (base - top));
      g.appendChild(svg("line", { x1: x - 4, y1: y, x2: x + 28, y2: y, class: "bar-target" }));
    }
    g.appendChild(svg("text", { x: x + 12, y: base + 14, class: "bar-label", transform: "rotate(45 " + (x + 12) + " " + (base + 14) + ")" }, bar.label));
    g.appendChild(svg("title", {}, bar.label + ": " + (bar.value === null ? ".." : number(bar.value)) +
      (bar.target !== undefined && bar.target !== null ? " / " + t("figures_target") + " " + number(bar.target) : "")));
    chart.appendChild(g);
  });
  return chart;
}

export function seriesBars(series, column) {
  return series.across_groups.map(function (row) {
    return { label: row.across, value: row.hidden.indexOf(column) >= 0 ? null : row[column] };
  });
}

export function aheadBars(series, what) {
  return series.ahead.filter(function (row) {
    return row.municipality_code === "all" && row.month !== "all" && (!what || row.what === what);
  }).map(function (row) {
    return { label: term("figures_ahead", row.what) + " " + row.month, value: row.hidden ? null : row.count };
  });
}

export function renderCharts() {
  var box = $("figure-charts");
  if (!box) return;
  clear(box);
  if (state.series) {
    box.appendChild(barChart("chart-series-clients", t("chart_series_clients"), seriesBars(state.series.assessments, "became_clients")));
    box.appendChild(barChart("chart-series-plans", t("chart_series_plans"), seriesBars(state.series.plans, "plans_made")));
    box.appendChild(barChart("chart-ahead", t("chart_ahead"), aheadBars(state.series.assessments).concat(aheadBars(state.series.plans))));
  }
  var targets = [];
  FIGURE_TABLES.forEach(function (source) {
    var figures = state[source.data];
    if (!figures || !figures.targets) return;
    figures.targets.forEach(function (target) {
      targets.push({
        label: target.municipality_code + " " + term(source.columnTexts, target.figure),
        value: target.achieved, target: target.target
      });
    });
  });
  if (targets.length) {
    box.appendChild(barChart("chart-targets", t("chart_targets"), targets));
  }
  var figures = state.figures;
  if (figures && figures.across && figures.cells.length) {
    var cells = figures.cells.map(function (row) {
      return {
        label: groupLabel(figures.by, row.group) + " / " + groupLabel(figures.across, row.across),
        value: row.hidden.indexOf("became_clients") >= 0 ? null : row.became_clients
      };
    });
    box.appendChild(barChart("chart-cross", t("chart_cross"), cells));
  }
}
