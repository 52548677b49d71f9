/* The client's side of a case: the messages sent to the client and the client's own self-report. */
import { state } from "./state.js";
import { api, append, h, t, term } from "./ui.js";
import { dlRow, renderDetail } from "./views.js";

// Messages to the client of a case (GET …/client/messages), kept beside its detail.
export function clientMessagesOf(caseId) {
  return (state.clientMessages && state.clientMessages.caseId === caseId && state.clientMessages.items) || [];
}

export function loadClientMessages(caseId) {
  return api("/api/v1/cases/" + encodeURIComponent(caseId) + "/client/messages").then(
    function (items) {
      if (state.selectedId === caseId) {
        state.clientMessages = { caseId: caseId, items: items || [] };
        renderDetail();
      }
    },
    function () {} // the timeline shows the case's changes without them
  );
}

/** What the client told of themselves on their own page before the assessment (404: nothing). */
export function loadSelfReport(caseId) {
  return api("/api/v1/cases/" + encodeURIComponent(caseId) + "/client/self-report").then(
    function (report) {
      if (state.selectedId === caseId) {
        state.selfReport = { caseId: caseId, data: report };
        renderDetail();
      }
    },
    function () {
      if (state.selectedId === caseId) {
        state.selfReport = { caseId: caseId, data: null };
      }
    }
  );
}

/** The client's self-report in the assessment: their own words, marked as not verified. */
export function selfReportBlock(c) {
  var report = state.selfReport && state.selfReport.caseId === c.case_id ? state.selfReport.data : null;
  if (!report) {
    return null;
  }
  var list = h("dl", null);
  append(list, dlRow(t("field_self_languages"), (report.languages || []).map(function (item) {
    return item.language + " (" + term("self_level", item.level) + ")";
  }).join(", ")));
  append(list, dlRow(t("field_education"), report.education));
  append(list, dlRow(t("field_work_history"), report.work_history));
  append(list, dlRow(t("field_goals"), report.goals));
  append(list, dlRow(t("field_help_wanted"), report.help_wanted));
  return h("div", { id: "self-report", dataset: { verified: String(report.verified) } },
    h("h4", null, t("self_report_heading")),
    h("p", { className: "muted" }, t("self_report_unverified")),
    list);
}
