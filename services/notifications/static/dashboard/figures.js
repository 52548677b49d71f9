/* The figures view: the tables of the assessment, plan and measure figures, their CSV and Excel
 * links, the monthly charts and the coordinators' targets. */
import { query } from "../lib/api.js";
import { hasRole } from "./assessment.js";
import { number, renderCharts } from "./charts.js";
import { state } from "./state.js";
import { $, addOptions, api, append, clear, displayName, errorState, errorText, h, t, term } from "./ui.js";
import { showSignin } from "./views.js";

// --- Figures ----------------------------------------------------------------------------------

export function figuresParams() {
  var params = { from: $("figures-from").value, to: $("figures-to").value, by: $("figures-by").value };
  var across = $("figures-across").value;
  if (across && across !== params.by) params.across = across;
  return params;
}

// The view's tables: where each one's figures come from, the id prefix of its elements, its
// heading, its columns (and the prefix of their texts), and where its figures are kept.
export var FIGURE_GROUPINGS = ["municipality", "target_group", "client_group", "residence_basis", "gender", "age_band", "native_language", "lead", "plan_type", "interpreter_language"];
export var MEASURE_FIGURE_COLUMNS = ["started", "completed", "interrupted", "hours_completed", "median_days_referral_to_start"];
export var FIGURE_COLUMNS = [
  "became_clients", "started", "completed", "median_days_to_start", "average_days_to_start",
  "median_days_to_completion", "average_days_to_completion", "share_started_within_deadline"
];
export var PLAN_FIGURE_COLUMNS = [
  "plans_made", "share_made_within_deadline", "measures_started", "measures_completed",
  "civic_orientation_hours", "language_levels_recorded", "share_reached_language_target", "plans_ended",
  "ended_employed", "ended_studying", "ended_moved_away", "ended_time_limit", "ended_declined", "ended_other"
];
// What a coordinator may set a target for from the figures view: counts of the tables above,
// each kept by the service whose figures they are (docs/figures.md, Targets).
export var TARGET_SOURCES = [
  { url: "/api/v1/figures/assessments/targets", name: "assessments", heading: "figures_title", columnTexts: "figures_col",
    figures: ["became_clients", "started", "completed"] },
  { url: "/api/v1/figures/plans/targets", name: "plans", heading: "plan_figures_title", columnTexts: "plan_figures_col",
    figures: ["plans_made", "measures_started", "measures_completed", "language_levels_recorded", "plans_ended", "ended_employed", "ended_studying"] }
];
export var FIGURE_TABLES = [
  {
    url: "/api/v1/figures/assessments", ids: "figures", heading: function () { return t("figures_title"); },
    columns: FIGURE_COLUMNS, columnTexts: "figures_col", data: "figures", message: "figuresMessage"
  },
  {
    url: "/api/v1/figures/plans", ids: "plan-figures", heading: function () { return t("plan_figures_title"); },
    columns: PLAN_FIGURE_COLUMNS, columnTexts: "plan_figures_col", data: "planFigures", message: "planFiguresMessage"
  },
  {
    // the plans' measures, always by kind (the form's period)
    url: "/api/v1/figures/measures", ids: "measure-figures", heading: function () { return t("measure_figures_title"); },
    columns: MEASURE_FIGURE_COLUMNS, columnTexts: "measure_figures_col", data: "measureFigures", message: "measureFiguresMessage",
    params: { by: "measure_kind" }
  }
];

export function tableParams(source) {
  return Object.assign(figuresParams(), source.params || {});
}

/** The figures view's tables, one after the other: a heading with its CSV link, then the table
 *  (renderFigureTable writes their texts). */
export function buildFigureTables() {
  var container = $("figure-tables");
  FIGURE_TABLES.forEach(function (source) {
    var ids = source.ids;
    append(container, [
      h(
        "div",
        { className: "figures-table-head" },
        h("h3", { id: ids + "-title" }),
        h("a", {
          id: ids + "-csv", className: "button secondary", href: source.url + "?format=csv", download: true,
          "aria-describedby": ids + "-title"
        }),
        h("a", {
          id: ids + "-xlsx", className: "button secondary", href: source.url + "?format=xlsx", download: true,
          "aria-describedby": ids + "-title"
        })
      ),
      h("div", { id: ids + "-message", className: "field-error", role: "alert", hidden: true }),
      h(
        "div",
        { className: "table-wrap" },
        h("table", { id: ids + "-table", className: "cases figures", "aria-labelledby": ids + "-title" },
          h("thead", { id: ids + "-head" }), h("tbody", { id: ids + "-body" }))
      ),
      h("p", { id: ids + "-empty", className: "empty", hidden: true }),
      h("table", { id: ids + "-targets", className: "cases figures targets", hidden: true },
        h("caption", { id: ids + "-targets-caption" }), h("thead", { id: ids + "-targets-head" }), h("tbody", { id: ids + "-targets-body" }))
    ]);
  });
}

export function loadFigureTable(source, params) {
  state[source.message] = null;
  $(source.ids + "-table").setAttribute("aria-busy", "true");
  return api(source.url + query(params)).then(
    function (figures) {
      $(source.ids + "-table").removeAttribute("aria-busy");
      state[source.data] = figures;
      renderFigureTable(source);
    },
    function (failure) {
      $(source.ids + "-table").removeAttribute("aria-busy");
      if (failure && failure.status === 401) {
        showSignin(failure);
        return;
      }
      state[source.data] = null;
      state[source.message] = errorState(failure);
      renderFigureTable(source);
    }
  );
}

export function loadFigures() {
  var params = figuresParams();
  return Promise.all(
    FIGURE_TABLES.map(function (source) {
      return loadFigureTable(source, Object.assign({}, params, source.params || {}));
    }).concat([loadSeries()])
  ).then(renderCharts);
}

// The monthly series (last 24 months, with the look ahead) of the assessments and the plans.
export function loadSeries() {
  return Promise.all([
    api("/api/v1/figures/assessments/series?by=municipality"),
    api("/api/v1/figures/plans/series?by=municipality")
  ]).then(
    function (answers) {
      state.series = { assessments: answers[0], plans: answers[1] };
    },
    function () {
      state.series = null;
    }
  );
}

// Deadlines and periods are Finnish calendar days, wherever the browser's clock is set.
export function finnishToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki" }).format(new Date());
}

export function renderFigureOptions() {
  var by = $("figures-by");
  var chosen = by.value || "municipality";
  clear(by);
  addOptions(by, null, FIGURE_GROUPINGS, "figures_by");
  by.value = chosen;
  var across = $("figures-across");
  var second = across.value;
  clear(across);
  addOptions(across, t("figures_across_none"), FIGURE_GROUPINGS, "figures_by");
  across.value = second;
  if (!$("figures-to").value) {
    // whole calendar months (docs/figures.md): this year up to the end of this month
    var today = finnishToday();
    var year = Number(today.slice(0, 4));
    var month = Number(today.slice(5, 7));
    var lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    $("figures-to").value = today.slice(0, 8) + String(lastDay).padStart(2, "0");
    $("figures-from").value = today.slice(0, 4) + "-01-01";
  }
  renderTargetForm();
}

/** The coordinator's target form: their municipalities, the countable figures of each table,
 *  and the period the figures view shows (whole months, as the figures). */
export function renderTargetForm() {
  var form = $("targets-form");
  form.hidden = !hasRole("coordinator");
  if (form.hidden) return;
  var municipality = $("target-municipality");
  var chosenMunicipality = municipality.value;
  clear(municipality);
  (state.me.municipalities || []).forEach(function (code) {
    municipality.appendChild(h("option", { value: code }, code));
  });
  if (chosenMunicipality) municipality.value = chosenMunicipality;
  var figure = $("target-figure");
  var chosenFigure = figure.value;
  clear(figure);
  TARGET_SOURCES.forEach(function (source) {
    var group = h("optgroup", { label: t(source.heading) });
    source.figures.forEach(function (name) {
      group.appendChild(h("option", { value: source.name + ":" + name }, term(source.columnTexts, name)));
    });
    figure.appendChild(group);
  });
  if (chosenFigure) figure.value = chosenFigure;
  $("targets-form-hint").textContent = t("targets_form_hint", { from: $("figures-from").value, to: $("figures-to").value });
}

export function setTarget() {
  var chosen = $("target-figure").value.split(":");
  var source = TARGET_SOURCES.filter(function (each) { return each.name === chosen[0]; })[0];
  var message = $("targets-form-message");
  var done = $("targets-form-done");
  message.hidden = true;
  done.hidden = true;
  var target = {
    municipality_code: $("target-municipality").value, figure: chosen[1],
    from: $("figures-from").value, to: $("figures-to").value, target: Number($("target-value").value)
  };
  return api(source.url, { method: "PUT", body: [target] }).then(
    function () {
      done.textContent = t("targets_set_done");
      done.hidden = false;
      return loadFigures();
    },
    function (failure) {
      if (failure && failure.status === 401) {
        showSignin(failure);
        return;
      }
      message.textContent = errorText(errorState(failure));
      message.hidden = false;
    }
  );
}

export function groupLabel(by, group) {
  if (group === "all") return t("figures_total");
  if (group === "unknown") return t("figures_unknown");
  if (by === "municipality") return group;
  if (by === "residence_basis") return term("basis", group);
  if (by === "gender") return term("gender", group);
  if (by === "plan_type") return term("plan_type", group);
  if (by === "target_group") return term("target_group", group);
  if (by === "lead") return term("lead", group);
  if (by === "client_group") return group.split("+").map(function (one) { return term("client_group", one); }).join(" + ");
  if (by === "age_band") return group; // 0-17, 18-29, 30-64, 65+ read the same in every language
  if (by === "measure_kind") return term("measure_kind", group);
  if (by === "month") return group;
  if (by === "provider") return group;
  return displayName("language", group);
}

export function figureCell(column, number, hidden) {
  if (hidden && hidden.indexOf(column) >= 0) return ".."; // under five people, or would give such a one away
  if (number === null || number === undefined) return "–";
  if (column.indexOf("share_") === 0) return Math.round(number * 1000) / 10 + " %";
  return state.lang === "en" ? String(number) : String(number).replace(".", ",");
}

// One table of figures: a row per group and the total, a column per figure; its CSV link
// follows the form's period and grouping.
export function renderFigureTable(source) {
  renderTargetTable(source);
  var ids = source.ids;
  var figures = state[source.data];
  var head = $(ids + "-head");
  var body = $(ids + "-body");
  clear(head);
  clear(body);
  $(ids + "-title").textContent = source.heading();
  $(ids + "-csv").textContent = t("figures_csv");
  $(ids + "-xlsx").textContent = t("figures_xlsx");
  $(ids + "-xlsx").setAttribute("href", source.url + query(Object.assign(tableParams(source), { format: "xlsx" })));
  $(ids + "-empty").textContent = t("figures_empty");
  var text = errorText(state[source.message]);
  $(ids + "-message").textContent = text;
  $(ids + "-message").hidden = !text;
  $(ids + "-empty").hidden = !figures || figures.groups.length > 0;
  $(ids + "-csv").setAttribute("href", source.url + query(Object.assign(tableParams(source), { format: "csv" })));
  if (!figures) return;
  var row = h("tr", null, h("th", { scope: "col" }, term("figures_by", figures.by)));
  source.columns.forEach(function (column) {
    row.appendChild(h("th", { scope: "col" }, term(source.columnTexts, column)));
  });
  head.appendChild(row);
  // a cross-tab: its cells, then each group of the first grouping, of the second, and the total
  var rows = (figures.cells || []).concat(figures.groups, figures.across_groups || [], [figures.total]);
  rows.forEach(function (group) {
    var key = group.across ? group.group + "/" + group.across : group.group;
    var label = group.across
      ? groupLabel(figures.by, group.group) + " / " + groupLabel(figures.across, group.across)
      : groupLabel(figures.by, group.group);
    var tr = h("tr", { dataset: { group: key } }, h("th", { scope: "row" }, label));
    source.columns.forEach(function (column) {
      tr.appendChild(h("td", { dataset: { column: column } }, figureCell(column, group[column], group.hidden)));
    });
    body.appendChild(tr);
  });
}

// The targets set for the period shown: each against what was achieved, and the share.
export function renderTargetTable(source) {
  var ids = source.ids;
  var figures = state[source.data];
  var targets = (figures && figures.targets) || [];
  var head = $(ids + "-targets-head");
  var body = $(ids + "-targets-body");
  clear(head);
  clear(body);
  $(ids + "-targets").hidden = targets.length === 0;
  $(ids + "-targets-caption").textContent = t("targets_caption");
  var row = h("tr");
  ["municipality", "figure", "target", "achieved", "share"].forEach(function (column) {
    row.appendChild(h("th", { scope: "col" }, term("targets_col", column)));
  });
  head.appendChild(row);
  targets.forEach(function (target) {
    body.appendChild(h("tr", { dataset: { figure: target.figure, municipality: target.municipality_code } },
      h("td", null, target.municipality_code),
      h("td", null, term(source.columnTexts, target.figure)),
      h("td", { dataset: { column: "target" } }, number(target.target)),
      h("td", { dataset: { column: "achieved" } }, target.achieved === null ? ".." : number(target.achieved)),
      h("td", { dataset: { column: "share" } }, figureCell("share_", target.share))));
  });
}

export function renderFigures() {
  FIGURE_TABLES.forEach(renderFigureTable);
  renderCharts();
}
