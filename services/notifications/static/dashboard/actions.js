/* What the user does in the case list: open and close a case, the filters and the pagers. */
import { fillForm, formValues } from "../lib/forms.js";
import { loadCases, loadDetail, loadSummary } from "./loading.js";
import { requests, state } from "./state.js";
import { $, append, h } from "./ui.js";
import { renderDetail, renderSummary } from "./views.js";

// --- Actions ----------------------------------------------------------------------------------

export function openDetail(caseId, moveFocus) {
  var same = state.selectedId === caseId && state.detail && state.detail.status === "ok";
  if (state.selectedId !== caseId) {
    state.assessment = null;
    state.plan = null;
    state.assessmentMessage = null;
    state.assessmentDone = null;
    state.keptInputs = {};
  }
  state.selectedId = caseId;
  if (!same) {
    state.detail = { status: "loading" };
  }
  renderDetail();
  markSelectedRow();
  if (moveFocus) {
    $("case-detail").focus();
  }
  loadDetail(caseId);
}

export function closeDetail() {
  var previous = state.selectedId;
  state.selectedId = null;
  state.detail = null;
  requests.detail++;
  renderDetail();
  markSelectedRow();
  if (previous) {
    var row = document.querySelector('#cases tr[data-case-id="' + cssEscape(previous) + '"] button');
    if (row) {
      row.focus();
    }
  }
}

export function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
}

export function markSelectedRow() {
  Array.prototype.forEach.call(document.querySelectorAll("#cases tbody tr"), function (row) {
    var selected = row.getAttribute("data-case-id") === state.selectedId;
    row.classList.toggle("is-selected", selected);
    if (selected) {
      row.setAttribute("aria-current", "true");
    } else {
      row.removeAttribute("aria-current");
    }
    var button = row.querySelector("button");
    if (button) {
      button.setAttribute("aria-expanded", selected ? "true" : "false");
    }
  });
}

export function normaliseMunicipality(value) {
  var v = value.trim();
  return /^\d{1,2}$/.test(v) ? ("00" + v).slice(-3) : v;
}

/** The filters as the form has them (its controls are named as the list's query parameters). */
export function readForm() {
  var values = formValues($("filters"));
  return {
    stage: values.stage,
    municipality: normaliseMunicipality(values.municipality),
    q: values.q,
    overdue: values.overdue,
    due: values.due_within_days
  };
}

export function writeForm() {
  var f = state.filters;
  fillForm($("filters"), { stage: f.stage, municipality: f.municipality, q: f.q, overdue: f.overdue, due_within_days: f.due });
}

export function setFilters(changes) {
  var next = readForm();
  Object.keys(changes).forEach(function (k) {
    next[k] = changes[k];
  });
  var f = state.filters;
  var changed = f.stage !== next.stage || f.municipality !== next.municipality || f.q !== next.q || f.overdue !== next.overdue || f.due !== next.due;
  state.filters = next;
  writeForm();
  if (changed) {
    state.page = 1;
    loadCases();
    if (f.municipality !== next.municipality) {
      loadSummary(); // the counts follow the municipality filter only
    }
  }
  renderSummary();
}

/** A list's pager: the previous page, where we are, the next page (renderPager writes the texts). */
export function buildPager(list) {
  append($(list.ids.pagination), [
    h("button", { type: "button", id: list.ids.prev, onclick: function () {
      if (state[list.page] > 1) {
        state[list.page] -= 1;
        list.load();
      }
    } }),
    h("span", { id: list.ids.info, "aria-live": "polite" }),
    h("button", { type: "button", id: list.ids.next, onclick: function () {
      state[list.page] += 1;
      list.load();
    } })
  ]);
}
