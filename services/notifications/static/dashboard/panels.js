/* The side panels: notifications, recruitment notices, match and duplicate reviews and the triage queue. */
import { formValues } from "../lib/forms.js";
import { openDetail } from "./actions.js";
import { field, input, keepInputs, restoreInputs, select } from "./forms.js";
import { PAGED_LISTS, acknowledgeNotice, decideTargetGroup, resolveReview } from "./loading.js";
import { NOTICE_STATUSES, TARGET_GROUPS, state } from "./state.js";
import { $, addOptions, append, clear, displayName, errorText, formatDate, h, personName, plural, t, term, timeEl } from "./ui.js";
import { dlRow, renderPager } from "./views.js";

export function renderNotifications() {
  var list = $("notifications-list");
  clear(list);
  var items = state.notifications || [];
  items.forEach(function (n) {
    var message = (n.message && (n.message[state.lang] || n.message.en || n.message.fi)) || n.kind;
    list.appendChild(
      h(
        "li",
        { dataset: { notificationId: n.id, kind: n.kind } },
        h("span", { className: "notification-message" }, message),
        h(
          "span",
          { className: "notification-meta" },
          timeEl(n.created_at, true),
          " · " + t("recipient", { role: term("role", n.recipient_role) }) + " · " + t("municipality_code", { code: n.municipality_code })
        ),
        n.case_id
          ? h(
              "button",
              {
                type: "button",
                className: "linklike",
                dataset: { caseId: n.case_id },
                "aria-controls": "case-detail",
                onclick: function () {
                  openDetail(n.case_id, true);
                }
              },
              t("open_case")
            )
          : null
      )
    );
  });
  $("notifications-empty").hidden = state.notifications === null || items.length > 0;
}

/** The panel's alert (a refused action, else a failed load) and its quiet status line. */
export function renderPanelMessages(prefix, message, loadError, done) {
  var text = errorText(message) || errorText(loadError);
  $(prefix + "-message").textContent = text;
  $(prefix + "-message").hidden = !text;
  $(prefix + "-done").textContent = done ? t(done.key, done.params) : "";
}

export function renderNoticeStatusOptions() {
  var select = $("notices-status");
  clear(select);
  addOptions(select, t("all_notice_statuses"), NOTICE_STATUSES, "notice_status");
  select.value = state.noticesStatus;
}

export function noticeStatusBadge(status) {
  return h("span", { className: "badge notice-status notice-status-" + status }, term("notice_status", status));
}

export function renderNotices() {
  var body = $("notices-body");
  clear(body);
  var page = state.notices;
  var items = page ? page.items : [];
  items.forEach(function (n) {
    var name = personName(n.recruit);
    var action = null;
    if (n.status === "received") {
      action = h(
        "button",
        {
          type: "button",
          className: "small",
          dataset: { action: "acknowledge" },
          "aria-label": t("acknowledge_label", { name: name }),
          disabled: Boolean(state.noticeBusy[n.id]),
          onclick: function () {
            acknowledgeNotice(n);
          }
        },
        t("acknowledge")
      );
    }
    body.appendChild(
      h(
        "tr",
        { dataset: { noticeId: n.id, status: n.status } },
        h("td", null, h("strong", null, name), h("span", { className: "cell-sub" }, displayName("region", n.recruit.nationality))),
        h("td", null, n.employer.name, h("span", { className: "cell-sub" }, n.employer.business_id)),
        h("td", null, n.employment.job_title),
        h("td", null, h("span", { className: "deadline-date" }, timeEl(n.expected_arrival_on, false))),
        h(
          "td",
          null,
          noticeStatusBadge(n.status),
          n.acknowledged_by ? h("span", { className: "cell-sub" }, t("acknowledged_by", { name: n.acknowledged_by })) : null
        ),
        h("td", null, action)
      )
    );
  });

  renderPager(PAGED_LISTS.notices, page, items.length);
  renderPanelMessages("notices", state.noticesMessage, state.noticesLoadError, state.noticesDone);
}

/** One side of a review: who the person is, and what else is known of them. */
export function reviewSide(heading, person, extra) {
  var list = h("dl", null);
  append(list, dlRow(t("field_name"), personName(person)));
  append(list, dlRow(t("field_birth_date"), person.birth_date ? timeEl(person.birth_date, false) : ""));
  append(list, dlRow(t("field_nationality"), displayName("region", person.nationality)));
  extra.forEach(function (row) {
    append(list, dlRow(row[0], row[1]));
  });
  return h("div", { className: "review-side" }, h("h4", null, heading), list);
}

export function reviewItem(kind, review, decisions, left, right, reason) {
  var busy = Boolean(state.reviewBusy[review.id]);
  var titleId = "review-title-" + review.id;
  var meta = t("similarity") + ": " + term("similarity", review.similarity) + (reason ? " · " + term("review_reason", reason) : "");
  return h(
    "li",
    { className: "review", dataset: { reviewId: review.id, kind: kind }, "aria-busy": busy ? "true" : null },
    h("h3", { id: titleId }, t(kind === "match" ? "review_match_title" : "review_duplicate_title")),
    h("p", { className: "muted review-meta" }, meta),
    h("div", { className: "review-compare" }, left, right),
    h(
      "div",
      { className: "review-actions" },
      decisions.map(function (d, i) {
        return h(
          "button",
          {
            type: "button",
            className: i === 0 ? "small" : "small secondary",
            dataset: { decision: d[0] },
            "aria-describedby": titleId,
            disabled: busy,
            onclick: function () {
              resolveReview(kind, review, d[0]);
            }
          },
          t(d[1])
        );
      })
    )
  );
}

export function triageItem(item) {
  var busy = Boolean(state.reviewBusy[item.case_id]);
  var id = "triage-" + item.case_id;
  var titleId = id + "-title";
  var fields = [
    field("field_target_group", select(id + "-group", TARGET_GROUPS, "target_group", true, "target_group")),
    field("field_decision_reason", input(id + "-reason", "text", { name: "reason", maxlength: "2000", required: "" }))
  ];
  if (item.admission_reason === "trafficking_window_passed") {
    fields.push(
      h("div", { className: "field field-check" }, input(id + "-set-aside", "checkbox", { name: "set_aside_time_limit" }),
        h("label", { for: id + "-set-aside" }, t("field_set_aside_time_limit")))
    );
  }
  var form = h(
    "form",
    { className: "command-form", "aria-labelledby": titleId },
    fields,
    h("div", { className: "field field-buttons" }, h("button", { type: "submit", className: "small", disabled: busy }, t("triage_decide")))
  );
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var values = formValues(form);
    decideTargetGroup(item, {
      target_group: values.target_group === "none" ? null : values.target_group,
      reason: values.reason,
      set_aside_time_limit: Boolean(values.set_aside_time_limit) // the box is there only past the time limit
    });
  });
  var meta = [
    term("reason", "admission." + item.admission_reason),
    t("triage_due") + " " + (item.decision_due_on ? formatDate(item.decision_due_on) : "")
  ].join(" · ");
  return h(
    "li",
    { className: "review", dataset: { reviewId: item.case_id, kind: "triage" }, "aria-busy": busy ? "true" : null },
    h("h3", { id: titleId }, t("triage_title") + ": " + personName(item)),
    h("p", { className: "muted review-meta" }, meta),
    reviewSide(t("side_client"), item, [
      [t("field_registered_on"), timeEl(item.registered_on, false)],
      [t("field_target_group"), term("target_group", item.target_group)]
    ]),
    form
  );
}

export function renderReviews() {
  var list = $("reviews-list");
  keepInputs(list); // a reason being typed survives a live refresh
  clear(list);
  var r = state.reviews;
  var matches = r ? r.match.items : [];
  var duplicates = r ? r.duplicate.items : [];
  matches.forEach(function (review) {
    list.appendChild(
      reviewItem(
        "match",
        review,
        [["match", "same_person"], ["reject", "different_people"]],
        reviewSide(t("side_notice"), review.recruit, [
          [t("field_employer"), review.employer.name],
          [t("field_arrival"), timeEl(review.expected_arrival_on, false)]
        ]),
        reviewSide(t("side_client"), review.client, [[t("field_registered_on"), timeEl(review.registered_on, false)]]),
        review.reason === "partial_match" ? null : review.reason // partial_match says what the similarity says
      )
    );
  });
  duplicates.forEach(function (review) {
    function extra(client) {
      return [
        [t("field_registered_on"), timeEl(client.registered_on, false)],
        [t("field_source"), client.source]
      ];
    }
    list.appendChild(
      reviewItem(
        "duplicate",
        review,
        [["same_person", "same_person"], ["different_people", "different_people"]],
        reviewSide(t("side_earlier_client"), review.earlier_client, extra(review.earlier_client)),
        reviewSide(t("side_later_client"), review.client, extra(review.client)),
        null
      )
    );
  });
  (r ? r.triage.items : []).forEach(function (item) {
    list.appendChild(triageItem(item));
  });
  restoreInputs(list);
  var total = r ? r.match.total + r.duplicate.total + r.triage.total : 0;
  $("reviews-count").textContent = r ? plural("reviews_count", total) : "";
  $("reviews-empty").hidden = !r || total > 0;
  renderPanelMessages("reviews", state.reviewsMessage, state.reviewsLoadError, state.reviewsDone);
}
