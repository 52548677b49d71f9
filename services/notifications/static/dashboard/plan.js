/* The case's integration plan: its panel in the case view and the planning commands. */
import { filled } from "../lib/forms.js";
import { openDetail } from "./actions.js";
import { CEFR_LEVELS, PLAN_TYPES, assessmentSection, assigneeSection, caseCommand, commandPanel, stillLoading } from "./assessment.js";
import { commandForm, field, input, restoreInputs, select } from "./forms.js";
import { state } from "./state.js";
import { api, append, displayName, errorState, formatDate, h, t, term, timeEl } from "./ui.js";
import { dlRow, renderDetail } from "./views.js";

// --- The case's integration plan ---------------------------------------------------------------
//
// The plan panel of the case view: the plan as it stands (GET /api/v1/cases/{id}/plan), the
// family's linked plans (…/plan/family), and the staff commands: draw up the plan, add and
// change measures, record a review, extend it (planning service) and close the case with a
// reason (CONTRACT §5). Each answers with the case; a refusal with its reason in the user's
// language.

export var MEASURE_KINDS = [
  "language_studies", "integration_training", "literacy_training", "civic_orientation", "self_motivated_studies",
  "work_try_out", "job_search_support", "early_childhood_education", "school", "health_and_social_services",
  "mentoring", "work_pair", "hygiene_passport", "vocational_preparatory_studies", "working_life_rules_training", "other"
];
export var MEASURE_STATUSES = ["planned", "referred", "started", "completed", "interrupted", "cancelled"];
export var CLOSURE_REASONS = ["employed", "studying", "moved_away", "time_limit", "declined", "other"];
export var planRequest = 0;

export function loadPlan(caseId) {
  var id = ++planRequest;
  var base = "/api/v1/cases/" + encodeURIComponent(caseId) + "/plan";
  return api(base).then(
    function (data) {
      if (id !== planRequest || state.selectedId !== caseId) return null;
      state.plan = { caseId: caseId, data: data, family: null };
      renderDetail();
      if (data.type !== "family" && !(data.family_members || []).length) return null;
      return api(base + "/family").then(function (family) {
        if (id === planRequest && state.selectedId === caseId) {
          state.plan.family = family;
          renderDetail();
        }
      }, function () { /* the family view is an extra: the plan itself is shown */ });
    },
    function (failure) {
      if (id !== planRequest || state.selectedId !== caseId) return;
      // 404: no plan (yet) for this case; 403: the role does not work on plans.
      state.plan = { caseId: caseId, data: null, family: null };
      if (failure && failure.status !== 404 && failure.status !== 403) {
        state.messagePanel = "plan";
        state.assessmentMessage = errorState(failure);
      }
      renderDetail();
    }
  );
}

export function planCommand(path, method, body, doneKey) {
  return caseCommand(path, method, body, doneKey, "plan");
}

export function measureText(m) {
  var parts = [];
  if (m.provider) parts.push(m.provider);
  if (m.language) parts.push(displayName("language", m.language));
  if (m.starts_on || m.ends_on) parts.push(formatDate(m.starts_on) + " – " + formatDate(m.ends_on));
  if (m.hours !== null && m.hours !== undefined) parts.push(t("plan_hours", { n: m.hours }));
  if (m.outcome && m.outcome.cefr) parts.push(t("plan_outcome_level", { level: m.outcome.cefr, language: m.outcome.language || "" }));
  return parts.join(" · ");
}

export function measureItem(m, open) {
  var id = m.measure_id;
  var li = h("li", { dataset: { measureId: id, kind: m.kind, status: m.status } },
    h("strong", null, term("measure_kind", m.kind)), " – ",
    h("span", { className: "measure-status" }, term("measure_status", m.status)),
    m.description ? h("span", { className: "cell-sub" }, m.description) : null,
    h("span", { className: "cell-sub" }, measureText(m))
  );
  if (open) {
    var statusSelect = select("measure-status-" + id, MEASURE_STATUSES, "measure_status", false, "status");
    statusSelect.value = m.status;
    li.appendChild(commandForm("measure-form-" + id, "measure_change_heading", [
      field("field_measure_status", statusSelect),
      field("field_outcome_language", input("measure-outcome-language-" + id, "text", { name: "language", maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
      field("field_outcome_level", select("measure-outcome-level-" + id, CEFR_LEVELS, null, true, "cefr"))
    ], "measure_change_submit", function (values) {
      var body = { status: values.status };
      if (values.cefr) {
        body.outcome = Object.assign({}, m.outcome || {}, { cefr: values.cefr });
        if (values.language) body.outcome.language = values.language.toLowerCase();
      }
      planCommand("/plan/measures/" + encodeURIComponent(id), "PATCH", body, "measure_changed");
    }));
  }
  return li;
}

export function makePlanForm(p) {
  var type = select("plan-type", PLAN_TYPES, "plan_type", false, "type");
  if (p && p.type) type.value = p.type;
  return commandForm("plan-form", "plan_make_heading", [
    field("field_plan_type", type),
    field("field_plan_on", input("plan-on", "date", { name: "plan_on" })),
    field("field_plan_ends_on", input("plan-ends-on", "date", { name: "ends_on" })),
    field("field_wellbeing_participant", input("plan-wellbeing", "text", { name: "wellbeing_county_participant_sub", maxlength: "200" })),
    field("field_family_members", input("plan-family", "text", { name: "family_members", maxlength: "2000", "aria-describedby": "plan-family-help" })),
    h("span", { id: "plan-family-help", className: "cell-sub" }, t("family_members_help")),
    field("field_goals", h("textarea", { id: "plan-goals", name: "goals", rows: "2", maxlength: "4000" }))
  ], "plan_make_submit", function (values) {
    var body = filled(values);
    if (body.family_members) {
      body.family_members = body.family_members.split(/[\s,]+/).filter(Boolean);
    }
    planCommand("/plan", "POST", body, "plan_made");
  });
}

export function addMeasureForm() {
  return commandForm("measure-form", "measure_add_heading", [
    field("field_measure_kind", select("measure-kind", MEASURE_KINDS, "measure_kind", false, "kind")),
    field("field_provider", input("measure-provider", "text", { name: "provider", maxlength: "200" })),
    field("field_service_code", input("measure-service-code", "text", { name: "service_code", maxlength: "100" })),
    field("field_language", input("measure-language", "text", { name: "language", maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
    field("field_measure_starts_on", input("measure-starts-on", "date", { name: "starts_on" })),
    field("field_measure_ends_on", input("measure-ends-on", "date", { name: "ends_on" })),
    field("field_hours", input("measure-hours", "number", { name: "hours", min: "0", max: "10000", step: "any" })),
    field("field_measure_status", select("measure-status", MEASURE_STATUSES, "measure_status", false, "status"))
  ], "measure_add_submit", function (values) {
    var body = filled(values); // the hours as a number (formValues reads a number input so)
    if (body.language) body.language = body.language.toLowerCase();
    planCommand("/plan/measures", "POST", body, "measure_added");
  });
}

export function reviewForm() {
  return commandForm("review-form", "plan_review_heading", [
    field("field_reviewed_on", input("review-on", "date", { name: "reviewed_on" })),
    field("field_next_review_on", input("review-next", "date", { name: "next_review_on" })),
    field("field_review_notes", h("textarea", { id: "review-notes", name: "notes", rows: "2", maxlength: "4000" }))
  ], "plan_review_submit", function (values) {
    planCommand("/plan/reviews", "POST", filled(values), "plan_reviewed");
  });
}

export function extendForm() {
  return commandForm("extend-form", "plan_extend_heading", [
    field("field_plan_ends_on", input("extend-ends-on", "date", { name: "ends_on", required: "" })),
    field("field_extension_reason", input("extend-reason", "text", { name: "reason", maxlength: "2000", required: "" }))
  ], "plan_extend_submit", function (values) {
    planCommand("/plan/extensions", "POST", values, "plan_extended");
  });
}

export function closureForm() {
  return commandForm("closure-form", "closure_heading", [
    field("field_closure_reason", select("closure-reason", CLOSURE_REASONS, "closure_reason", true, "reason")),
    field("field_closure_notes", input("closure-notes", "text", { name: "notes", maxlength: "2000" }))
  ], "closure_submit", function (values) {
    var body = filled(values);
    body.reason = values.reason; // asked even when not chosen: the refusal names it
    planCommand("/closure", "POST", body, "case_closed_done");
  });
}

export function planSection(c) {
  var section = commandPanel("plan", t("plan_heading"));
  if (stillLoading(c, state.plan, section)) {
    return section;
  }
  var current = state.plan;
  var p = current.data;
  var status = p ? p.status : "none";
  section.setAttribute("data-plan-status", status);
  var closed = c.stage === "closed";
  if (!p || p.status === "awaiting") {
    section.appendChild(h("p", { id: "plan-none", className: "empty" }, t("plan_none")));
    if (c.stage === "planning") section.appendChild(makePlanForm(p));
  } else {
    var list = h("dl", { id: "plan-state" });
    append(list, dlRow(t("field_plan_status"), term("plan_status", p.status)));
    append(list, dlRow(t("field_plan_type"), term("plan_type", p.type)));
    append(list, dlRow(t("field_plan_on"), timeEl(p.plan_on, false)));
    append(list, dlRow(t("field_plan_ends_on"), timeEl(p.ends_on, false)));
    if (p.review_due_on && p.status !== "ended") append(list, dlRow(t("field_review_due_on"), timeEl(p.review_due_on, false)));
    if (p.wellbeing_county_participant) append(list, dlRow(t("field_wellbeing_participant"), p.wellbeing_county_participant));
    if (p.goals) append(list, dlRow(t("field_goals"), p.goals));
    if (p.end_reason) append(list, dlRow(t("field_plan_end"), p.ended_on ? timeEl(p.ended_on, false) : ""));
    section.appendChild(list);

    var family = current.family && current.family.members ? current.family.members : [];
    if (family.length) {
      section.appendChild(h("h4", null, t("family_heading")));
      var fl = h("ul", { id: "plan-family-list" });
      family.forEach(function (member) {
        fl.appendChild(h("li", { dataset: { caseId: member.case_id } },
          h("button", { type: "button", className: "link", onclick: function () { openDetail(member.case_id, true); } },
            term("plan_type", member.type) || t("plan_none")),
          " – ", term("plan_status", member.status),
          member.plan_on ? h("span", { className: "cell-sub" }, formatDate(member.plan_on) + " – " + formatDate(member.ends_on)) : null));
      });
      section.appendChild(fl);
    }

    var open = !closed && (p.status === "active" || p.status === "expired");
    section.appendChild(h("h4", null, t("measures_heading")));
    var measures = p.measures || [];
    if (!measures.length) {
      section.appendChild(h("p", { id: "measures-none", className: "empty" }, t("measures_none")));
    } else {
      var ml = h("ul", { id: "plan-measures", className: "plan-measures" });
      measures.forEach(function (m) { ml.appendChild(measureItem(m, open)); });
      section.appendChild(ml);
    }
    if (open) section.appendChild(addMeasureForm());

    section.appendChild(h("h4", null, t("reviews_heading")));
    var reviews = p.reviews || [];
    if (!reviews.length) {
      section.appendChild(h("p", { id: "plan-reviews-none", className: "empty" }, t("plan_reviews_none")));
    } else {
      var rl = h("ul", { id: "plan-reviews" });
      reviews.forEach(function (r) {
        rl.appendChild(h("li", { dataset: { reviewId: r.review_id } }, timeEl(r.reviewed_on, false),
          r.by ? " – " + r.by : "", r.notes ? h("span", { className: "cell-sub" }, r.notes) : null,
          h("span", { className: "cell-sub" }, t("next_review_on", { on: formatDate(r.next_review_on) }))));
      });
      section.appendChild(rl);
    }
    (p.extensions || []).forEach(function (e) {
      section.appendChild(h("p", { className: "cell-sub plan-extension" }, t("plan_extended_text", { from: formatDate(e.from_ends_on), to: formatDate(e.ends_on), reason: e.reason })));
    });
    if (open) {
      section.appendChild(reviewForm());
      section.appendChild(extendForm());
    }
  }
  if (!closed && (c.stage === "planning" || c.stage === "follow_up")) {
    section.appendChild(closureForm());
  }
  return section;
}

/** The case view's assessment and assignee panels, typed input kept across re-renders. */
export function renderCaseWork(body, c) {
  var work = h("div", { id: "case-work" }, assigneeSection(c), assessmentSection(c), planSection(c));
  body.appendChild(work);
  restoreInputs(work);
}
