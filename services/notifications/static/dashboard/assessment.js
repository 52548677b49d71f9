/* The case's assessment and who has the case: its panel in the case view and the staff commands. */
import { filled } from "../lib/forms.js";
import { selfReportBlock } from "./client-messages.js";
import { finnishToday, renderTargetForm } from "./figures.js";
import { commandForm, field, input, select } from "./forms.js";
import { scheduleRefresh } from "./live.js";
import { loadPlan } from "./plan.js";
import { state } from "./state.js";
import { $, api, append, displayName, errorState, errorText, formatDate, h, t, term, timeEl } from "./ui.js";
import { dlRow, renderDetail, showSignin } from "./views.js";

// --- The case's assessment and who has the case ---------------------------------------------
//
// The assessment panel of the case view: its state (GET /api/v1/cases/{id}/assessment) and the
// staff commands (schedule, start, record the interview, complete; CONTRACT §5 and
// docs/roles.md), and who has the case (take, assign). A command answers with the case; a
// refused one with its reason in the user's language (the answer's detail.messages).

export var CEFR_LEVELS = ["A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "B1.1", "B1.2", "B2.1", "B2.2", "C1.1", "C1.2", "C2"];
export var SKILLS = ["speaking", "writing", "listening", "reading"];
export var SKILL_SOURCES = ["interview", "level_test", "integration_training_exam", "yki"];
export var LITERACY = ["literate", "literate_other_alphabet", "partly_literate", "not_literate"];
export var EDUCATION_LEVELS = ["none", "primary", "secondary", "vocational", "bachelor", "master", "doctorate", "other"];
export var PLAN_TYPES = ["individual", "multi_sectoral", "family"];
export var assessmentRequest = 0;

export function loadMe() {
  return api("/dashboard/me").then(
    function (me) {
      state.me = me;
      // a region's working group sees the figures only (docs/roles.md)
      var roles = me.roles || [];
      document.body.classList.toggle("figures-only", roles.length > 0 && roles.every(function (role) { return role === "region"; }));
      // a wellbeing services county's staff see their county's multi-sectoral plans (county.js)
      document.body.classList.toggle("county-only", roles.length > 0 && roles.every(function (role) { return role === "wellbeing_county"; }));
      renderDetail();
      renderTargetForm();
    },
    function () {
      state.me = null;
    }
  );
}

export function hasRole(role) {
  return Boolean(state.me && (state.me.roles || []).indexOf(role) >= 0);
}

export function loadAssessment(caseId) {
  var id = ++assessmentRequest;
  return api("/api/v1/cases/" + encodeURIComponent(caseId) + "/assessment").then(
    function (data) {
      if (id === assessmentRequest && state.selectedId === caseId) {
        state.assessment = { caseId: caseId, data: data };
        renderDetail();
      }
    },
    function (failure) {
      if (id === assessmentRequest && state.selectedId === caseId) {
        // 404: no assessment (yet) for this case; 403: the role does not work on assessments.
        state.assessment = { caseId: caseId, data: null, missing: failure && (failure.status === 404 || failure.status === 403) };
        if (!state.assessment.missing) {
          state.assessmentMessage = errorState(failure);
        }
        renderDetail();
      }
    }
  );
}

/** Sends a command of the case view; its answer (the case) replaces the case shown. */
export function caseCommand(path, method, body, doneKey, panel) {
  var caseId = state.selectedId;
  if (!caseId || state.assessmentBusy) {
    return Promise.resolve();
  }
  // The form that sent it (its submit button has the focus): only its inputs start afresh after.
  var sender = document.activeElement && document.activeElement.form;
  var sentInputs = sender ? Array.prototype.map.call(sender.querySelectorAll("input, select, textarea"), function (el) { return el.id; }) : null;
  state.messagePanel = panel || "assessment";
  state.assessmentBusy = true;
  state.assessmentMessage = null;
  state.assessmentDone = null;
  renderDetail();
  return api("/api/v1/cases/" + encodeURIComponent(caseId) + path, { method: method, body: body }).then(
    function (answer) {
      state.assessmentBusy = false;
      if (state.selectedId !== caseId) {
        return;
      }
      if (answer && answer.case_id) {
        state.detail = { status: "ok", data: answer };
      }
      state.assessmentDone = { key: doneKey };
      // The command went through: its form starts afresh; what is typed in another form stays.
      if (sentInputs) {
        sentInputs.forEach(function (id) { delete state.keptInputs[id]; });
      } else {
        state.keptInputs = {};
      }
      loadAssessment(caseId);
      loadPlan(caseId);
      scheduleRefresh(false);
      renderDetail();
    },
    function (failure) {
      state.assessmentBusy = false;
      if (failure && failure.status === 401) {
        showSignin(failure);
        return;
      }
      state.assessmentMessage = errorState(failure);
      renderDetail();
    }
  );
}

export function assigneeSection(c) {
  var section = h("section", { id: "assignee-panel", className: "subpanel", "aria-labelledby": "assignee-title" });
  section.appendChild(h("h3", { id: "assignee-title" }, t("assignee_heading")));
  section.appendChild(h("p", { id: "assignee-now" }, c.assignee || t("not_assigned")));
  if (hasRole("caseworker") && !c.assignee) {
    section.appendChild(
      h("button", { type: "button", id: "take-case", disabled: Boolean(state.assessmentBusy), onclick: function () {
        caseCommand("/assignee/take", "POST", undefined, "take_done");
      } }, t("take_case"))
    );
  }
  if (hasRole("coordinator")) {
    section.appendChild(
      commandForm("assign-form", "assign_heading", [
        field("field_assignee_sub", input("assign-sub", "text", { name: "sub", maxlength: "200", required: "" })),
        field("field_assignee_name", input("assign-name", "text", { name: "name", maxlength: "200", required: "" }))
      ], "assign_submit", function (values) {
        caseCommand("/assignee", "PUT", values, "assign_done");
      })
    );
    if (c.assignee) {
      section.appendChild(
        h("button", { type: "button", id: "unassign-case", className: "secondary", disabled: Boolean(state.assessmentBusy), onclick: function () {
          caseCommand("/assignee", "DELETE", undefined, "unassign_done");
        } }, t("unassign"))
      );
    }
  }
  return section;
}

export function scheduleText(schedule) {
  if (!schedule) {
    return "";
  }
  var parts = [formatDate(schedule.on) + (schedule.at ? " " + String(schedule.at).slice(0, 5) : "")];
  parts.push(schedule.remote ? t("remote") : schedule.place || "");
  if (schedule.interview_language) {
    parts.push(t("interview_in", { language: displayName("language", schedule.interview_language) }));
  }
  if (schedule.interpreter_language) {
    parts.push(t("interpreter_in", { language: displayName("language", schedule.interpreter_language) }));
  }
  return parts.filter(Boolean).join(" · ");
}

/** The interpreter need recorded on the case's client ("" when none). */
export function interpreterNeed(c) {
  var client = c.client || {};
  return { language: client.interpreter_language || "", dialect: client.interpreter_language ? client.interpreter_dialect || "" : "" };
}

export function partText(name, part) {
  if (name === "language_skills") {
    return part.map(function (skill) {
      return displayName("language", skill.language) + " – " + term("skill", skill.skill) + ": " + skill.level +
        " (" + term("skill_source", skill.source) + ", " + formatDate(skill.assessed_on) + ")";
    });
  }
  if (name === "literacy") {
    return [term("literacy", part)];
  }
  if (name === "education") {
    return part.map(function (item) {
      return [term("education", item.level), item.field, item.years ? t("years", { n: item.years }) : "", item.country ? displayName("region", item.country) : ""]
        .filter(Boolean).join(", ");
    });
  }
  if (name === "work_history") {
    return part.map(function (item) {
      return item.occupation + (item.years ? " (" + t("years", { n: item.years }) + ")" : "");
    });
  }
  if (name === "specifying_measures") {
    return part.map(function (item) {
      return term("measure", item.kind) + (item.description ? ": " + item.description : "");
    });
  }
  return Array.isArray(part) ? [part.join(", ")] : [String(part)];
}

/** A panel of the case view with its heading, and the answer to the case view's last command
 *  when that command was this panel's (the assessment panel answers for all but the plan's). */
export function commandPanel(name, heading) {
  var section = h("section", { id: name + "-panel", className: "subpanel", "aria-labelledby": name + "-title" });
  section.appendChild(h("h3", { id: name + "-title" }, heading));
  var mine = (state.messagePanel === "plan") === (name === "plan");
  var message = mine ? errorText(state.assessmentMessage) : "";
  section.appendChild(h("div", { id: name + "-message", className: "field-error", role: "alert", hidden: !message }, message));
  section.appendChild(h("p", { id: name + "-done", className: "visually-hidden", role: "status" }, mine && state.assessmentDone ? t(state.assessmentDone.key) : ""));
  return section;
}

/** Whether the shown case's assessment or plan is still loading; the section then says so. */
export function stillLoading(c, loaded, section) {
  if (loaded && loaded.caseId === c.case_id) {
    return false;
  }
  section.appendChild(h("p", { className: "muted" }, t("loading_detail")));
  return true;
}

export function assessmentSection(c) {
  var section = commandPanel("assessment", t("assessment_heading"));
  if (stillLoading(c, state.assessment, section)) {
    return section;
  }
  var a = state.assessment.data;
  if (!a) {
    section.appendChild(h("p", { id: "assessment-none", className: "empty" }, t("assessment_none")));
    return section;
  }
  section.setAttribute("data-assessment-status", a.status);
  var list = h("dl", { id: "assessment-state" });
  append(list, dlRow(t("field_assessment_status"), term("assessment_status", a.status)));
  append(list, dlRow(t("field_assessment_due"), timeEl(a.due_on, false)));
  append(list, dlRow(t("field_schedule"), scheduleText(a.schedule)));
  append(list, dlRow(t("field_started"), a.started_on ? timeEl(a.started_on, false) : ""));
  append(list, dlRow(t("field_completed"), a.completed_on ? timeEl(a.completed_on, false) : ""));
  if (a.status === "completed") {
    append(list, dlRow(t("field_plan_needed"), a.plan_needed ? t("yes") : t("no")));
    append(list, dlRow(t("field_plan_type"), term("plan_type", a.plan_type)));
    append(list, dlRow(t("field_corrections"), String(a.corrections || 0)));
  }
  section.appendChild(list);
  var selfReport = selfReportBlock(c);
  if (selfReport) {
    section.appendChild(selfReport);
  }

  var parts = a.parts || {};
  var names = Object.keys(parts);
  if (names.length) {
    section.appendChild(h("h4", null, t("parts_heading")));
    var partList = h("dl", { id: "assessment-parts" });
    names.forEach(function (name) {
      append(partList, [h("dt", null, term("part", name)), h("dd", { dataset: { part: name } }, partText(name, parts[name]).map(function (line) {
        return h("span", { className: "part-line" }, line);
      }))]);
    });
    section.appendChild(partList);
  }

  var open = a.status === "awaiting" || a.status === "scheduled";
  if (open) {
    // The client's recorded interpreter need fills in the booking's interpreter; a booking that
    // leaves it out is warned of (the API accepts it, the case's timeline then says so).
    var need = interpreterNeed(c);
    var interpreter = input("schedule-interpreter", "text", { name: "interpreter_language", maxlength: "3", size: "4", pattern: "[a-z]{2,3}", value: need.language });
    var needWarning = h("p", { id: "schedule-interpreter-warning", className: "field-warning", role: "status", hidden: true });
    var showNeed = function () {
      var unmet = Boolean(need.language) && interpreter.value.trim() !== need.language;
      needWarning.hidden = !unmet;
      needWarning.textContent = unmet ? t("interpreter_need_unmet", { language: displayName("language", need.language) + (need.dialect ? " (" + need.dialect + ")" : "") }) : "";
    };
    section.appendChild(
      commandForm("schedule-form", "schedule_heading", [
        field("field_on", input("schedule-on", "date", { name: "on", required: "" })),
        field("field_at", input("schedule-at", "time", { name: "at" })),
        field("field_place", input("schedule-place", "text", { name: "place", maxlength: "200" })),
        h("div", { className: "field field-check" }, input("schedule-remote", "checkbox", { name: "remote" }), h("label", { for: "schedule-remote" }, t("field_remote"))),
        field("field_interview_language", input("schedule-language", "text", { name: "interview_language", maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
        field("field_interpreter_language", interpreter),
        field("field_interpreter_dialect", input("schedule-interpreter-dialect", "text", { name: "interpreter_dialect", maxlength: "100", value: need.dialect })),
        needWarning
      ], "schedule_submit", function (values) {
        caseCommand("/assessment/schedule", "POST", filled(values), "schedule_done");
      })
    );
    interpreter.addEventListener("input", showNeed);
    setTimeout(showNeed, 0); // after what the user had typed is put back
    section.appendChild(
      h("button", { type: "button", id: "start-assessment", disabled: Boolean(state.assessmentBusy), onclick: function () {
        caseCommand("/assessment/start", "POST", {}, "start_done");
      } }, t("start_submit"))
    );
  }
  if (a.status === "in_progress") {
    section.appendChild(recordForm(parts));
    section.appendChild(completeForm());
  }
  return section;
}

export function recordForm(parts) {
  return commandForm("record-form", "record_heading", [
    h("fieldset", null, h("legend", null, t("language_skill_legend")),
      field("field_language", input("skill-language", "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
      field("field_skill", select("skill-skill", SKILLS, "skill")),
      field("field_level", select("skill-level", CEFR_LEVELS, null)),
      field("field_skill_source", select("skill-source", SKILL_SOURCES, "skill_source")),
      field("field_assessed_on", input("skill-on", "date"))
    ),
    field("field_literacy", select("record-literacy", LITERACY, "literacy", true, "literacy")),
    h("fieldset", null, h("legend", null, t("education_legend")),
      field("field_education_level", select("education-level", EDUCATION_LEVELS, "education", true)),
      field("field_education_field", input("education-field", "text", { maxlength: "200" }))
    ),
    field("field_occupation", input("work-occupation", "text", { maxlength: "200" })),
    field("field_goals", h("textarea", { id: "record-goals", name: "goals", rows: "2", maxlength: "4000" })),
    field("field_life_situation", h("textarea", { id: "record-life", name: "life_situation", rows: "2", maxlength: "4000" })),
    field("field_service_needs", input("record-needs", "text", { maxlength: "500", "aria-describedby": "record-needs-help" })),
    h("span", { id: "record-needs-help", className: "cell-sub" }, t("service_needs_help"))
  ], "record_submit", function (values) {
    // The plain parts as they are; a skill, an education and a job from their own controls.
    var v = values;
    var body = filled({ literacy: v.literacy, goals: v.goals, life_situation: v.life_situation });
    if (v["skill-language"]) {
      // The part is replaced as a whole: the new skill is added to those recorded.
      body.language_skills = (parts.language_skills || []).concat([{
        language: v["skill-language"].toLowerCase(), skill: v["skill-skill"], level: v["skill-level"],
        source: v["skill-source"], assessed_on: v["skill-on"] || finnishToday()
      }]);
    }
    if (v["education-level"]) {
      body.education = (parts.education || []).concat([{ level: v["education-level"], field: v["education-field"] || null }]);
    }
    if (v["work-occupation"]) body.work_history = (parts.work_history || []).concat([{ occupation: v["work-occupation"] }]);
    if (v["record-needs"]) {
      body.service_needs = v["record-needs"].split(",").map(function (code) { return code.trim(); }).filter(Boolean);
    }
    caseCommand("/assessment/interview", "POST", body, "record_done");
  });
}

export function completeForm() {
  var needed = select("complete-plan-needed", ["yes", "no"], null, false, "plan_needed");
  Array.prototype.forEach.call(needed.options, function (option) {
    option.textContent = t(option.value === "yes" ? "plan_needed_yes" : "plan_needed_no");
  });
  return commandForm("complete-form", "complete_heading", [
    field("field_plan_needed", needed),
    field("field_plan_type", select("complete-plan-type", PLAN_TYPES, "plan_type", true, "plan_type")),
    field("field_wellbeing_participant", input("complete-wellbeing", "text", { name: "wellbeing_county_participant_sub", maxlength: "200" })),
    field("field_no_plan_reason", input("complete-reason", "text", { name: "reason", maxlength: "500" }))
  ], "complete_submit", function (values) {
    var body = filled(values);
    body.plan_needed = values.plan_needed === "yes";
    caseCommand("/assessment/complete", "POST", body, "complete_done");
  });
}
