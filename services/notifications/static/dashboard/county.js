/* The wellbeing services county's view (role `wellbeing_county`, docs/roles.md): the multi-sectoral
 * plans of its own county's municipalities and the assessment each came from, read-only
 * (GET /api/v1/county/plans, /api/v1/county/plans/{case_id}, /api/v1/county/assessments/{case_id}).
 * The section shows itself only when the list answers: for every other role it stays hidden. */
import { addSection } from "./sections.js";
import { $, api, append, clear, errorState, errorText, h, municipalityName, t, term, timeEl } from "./ui.js";
import { dlRow } from "./views.js";

var county = { items: null, error: null, open: null, request: 0 };

function load() {
  var id = ++county.request;
  return api("/api/v1/county/plans?limit=200").then(
    function (page) {
      if (id !== county.request) return;
      county.items = page.items || [];
      county.error = null;
      render();
    },
    function (failure) {
      if (id !== county.request) return;
      // 403: not the county's staff (the section stays hidden); anything else is shown.
      county.items = failure && failure.status === 403 ? null : [];
      county.error = failure && failure.status === 403 ? null : errorState(failure);
      render();
    }
  );
}

function show(item) {
  county.open = { item: item, assessment: null };
  render();
  api("/api/v1/county/assessments/" + encodeURIComponent(item.case_id)).then(
    function (assessment) {
      if (county.open && county.open.item === item) {
        county.open.assessment = assessment;
        render();
      }
    },
    function () { /* no assessment to show: the plan alone */ }
  );
}

function date(value) {
  return value ? timeEl(value) : "–";
}

function renderRows() {
  var body = $("county-plans-body");
  clear(body);
  (county.items || []).forEach(function (item) {
    var plan = item.plan || {};
    var open = h("button", { type: "button", className: "secondary small" }, t("county_show"));
    open.addEventListener("click", function () { show(item); });
    append(body, h("tr", { dataset: { caseId: item.case_id } },
      h("td", null, municipalityName(item)),
      h("td", null, date(plan.plan_on)),
      h("td", null, term("plan_status", plan.status)),
      h("td", null, date(plan.review_due_on)),
      h("td", null, plan.wellbeing_county_participant || "–"),
      h("td", null, open)
    ));
  });
  $("county-empty").hidden = !county.items || county.items.length > 0;
}

function renderDetail() {
  var detail = $("county-detail");
  clear(detail);
  detail.hidden = !county.open;
  if (!county.open) return;
  var item = county.open.item, plan = item.plan || {}, assessment = county.open.assessment;
  append(detail, h("h3", null, t("county_detail_title", { municipality: municipalityName(item) })));
  var facts = h("dl", { id: "county-facts" });
  append(facts, dlRow(t("field_plan_type"), term("plan_type", plan.type)));
  append(facts, dlRow(t("county_col_plan_on"), date(plan.plan_on)));
  append(facts, dlRow(t("county_ends_on"), date(plan.ends_on)));
  append(facts, dlRow(t("field_wellbeing_participant"), plan.wellbeing_county_participant || "–"));
  if (assessment) {
    append(facts, dlRow(t("county_assessment_completed_on"), date(assessment.completed_on)));
  }
  append(facts, dlRow(t("county_goals"), plan.goals || "–"));
  append(detail, facts);
  append(detail, h("h4", null, t("county_measures")));
  var measures = plan.measures || [];
  if (measures.length === 0) {
    append(detail, h("p", { className: "empty" }, t("county_no_measures")));
  } else {
    var list = h("ul", { className: "county-measures" });
    measures.forEach(function (measure) {
      var parts = [term("measure_kind", measure.kind), term("measure_status", measure.status), measure.provider].filter(Boolean);
      append(list, h("li", null, parts.join(" · ")));
    });
    append(detail, list);
  }
}

function render() {
  var section = $("county");
  section.hidden = county.items === null && !county.error;
  var message = $("county-message");
  message.hidden = !county.error;
  message.textContent = county.error ? errorText(county.error) : "";
  renderRows();
  renderDetail();
}

addSection({
  name: "county",
  bind: function () {
    $("county-refresh").addEventListener("click", load);
  },
  enter: load,
  render: render,
  leave: function () {
    county.items = null;
    county.error = null;
    county.open = null;
    county.request++;
    render();
  }
});
