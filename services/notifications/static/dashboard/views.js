/* The views: sign-in or the dashboard, the summary, the case list and the case's detail. */
import { sections } from "./sections.js";
import { openDetail, setFilters } from "./actions.js";
import { loadMe } from "./assessment.js";
import { clientMessagesOf } from "./client-messages.js";
import { FIGURE_TABLES, renderFigureOptions, renderFigures } from "./figures.js";
import { keepInputs } from "./forms.js";
import { setLive, startStream, stopStream } from "./live.js";
import { PAGED_LISTS, PANELS, loadNotices, loadNotifications, loadReviews, loadSummary, pageCount } from "./loading.js";
import { renderNoticeStatusOptions, renderNotices, renderNotifications, renderReviews } from "./panels.js";
import { renderCaseWork } from "./plan.js";
import { STAGES, state } from "./state.js";
import { $, addOptions, append, clear, clientName, displayName, errorText, h, municipalityName, reasonText, t, term, timeEl } from "./ui.js";

// --- Views ------------------------------------------------------------------------------------

/** Shows the dashboard (signed in) or the sign-in view, instead of the loading note. */
export function showView(signedIn) {
  $("loading").hidden = true;
  $("signin-view").hidden = signedIn;
  $("app-view").hidden = !signedIn;
  $("signout-form").hidden = !signedIn;
}

export function enterApp() {
  state.signedIn = true;
  state.signinError = null;
  showView(true);
  renderStageOptions();
  renderNoticeStatusOptions();
  loadSummary();
  loadNotifications();
  loadNotices();
  loadReviews();
  loadMe();
  renderFigureOptions();
  renderFigures();
  sections.forEach(function (section) {
    if (section.enter) section.enter();
  });
  startStream();
}

export function showSignin(failure) {
  var wasSignedIn = state.signedIn === true;
  state.signedIn = false;
  stopStream();
  setLive("off");
  state.cases = null;
  state.summary = null;
  state.notifications = null;
  Object.keys(PANELS).forEach(function (name) {
    state[name] = null;
    state[name + "Message"] = null;
    state[name + "LoadError"] = null;
    state[name + "Done"] = null;
    state[PANELS[name].busyItems] = {};
  });
  state.noticesPage = 1;
  state.selectedId = null;
  state.detail = null;
  state.me = null;
  state.assessment = null;
  FIGURE_TABLES.forEach(function (source) {
    state[source.data] = null;
    state[source.message] = null;
  });
  sections.forEach(function (section) {
    if (section.leave) section.leave();
  });
  state.error = null;
  if (failure && failure.code === "invalid_token" && failure.messages) {
    state.signinError = { messages: failure.messages }; // e.g. the session expired
  }
  showView(false);
  renderError();
  renderSignin();
  if (wasSignedIn) {
    $("signin-title").setAttribute("tabindex", "-1");
    $("signin-title").focus();
  }
}

export function renderAll() {
  translateStatic();
  renderLanguageButtons();
  renderError();
  renderSignin();
  renderLive();
  if (state.signedIn === true) {
    renderStageOptions();
    renderSummary();
    renderCases();
    renderDetail();
    renderNotifications();
    renderNoticeStatusOptions();
    renderNotices();
    renderReviews();
    renderFigureOptions();
    renderFigures();
    sections.forEach(function (section) {
      if (section.render) section.render();
    });
  }
}

export function translateStatic() {
  document.documentElement.lang = state.lang;
  document.title = t("page_title");
  Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) {
    el.textContent = t(el.getAttribute("data-i18n"));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-placeholder]"), function (el) {
    el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-aria-label]"), function (el) {
    el.setAttribute("aria-label", t(el.getAttribute("data-i18n-aria-label")));
  });
}

export function renderLanguageButtons() {
  Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
    button.setAttribute("aria-pressed", button.getAttribute("data-lang") === state.lang ? "true" : "false");
  });
}

export function renderError() {
  var box = $("error");
  var text = errorText(state.error);
  box.textContent = text;
  box.hidden = !text;
}

export function renderSignin() {
  var box = $("signin-error");
  var text = errorText(state.signinError);
  box.textContent = text;
  box.hidden = !text;
  if (text) {
    $("token").setAttribute("aria-describedby", "signin-error");
    $("token").setAttribute("aria-invalid", "true");
  } else {
    $("token").removeAttribute("aria-describedby");
    $("token").removeAttribute("aria-invalid");
  }
}

export function renderLive() {
  var box = $("live-status");
  box.setAttribute("data-state", state.live);
  box.hidden = state.live === "off";
  var key = state.live === "live" ? "live_live" : state.live === "reconnecting" ? "live_reconnecting" : "live_connecting";
  $("live-status-text").textContent = t(key);
  box.title = state.live === "live" ? t("live_title_live") : state.live === "reconnecting" ? t("live_title_reconnecting") : "";
}

export function renderStageOptions() {
  var select = $("filter-stage");
  clear(select);
  addOptions(select, t("all_stages"), STAGES, "stage");
  select.value = state.filters.stage;
}

export function renderSummary() {
  var list = $("summary-list");
  clear(list);
  var s = state.summary;
  function item(key, count, label, pressed, onclick, extraClass) {
    var countEl = h("span", { className: "summary-count" }, count === null ? "–" : String(count));
    if (key === "overdue") {
      countEl.id = "summary-overdue";
    }
    return h(
      "li",
      { className: "summary-item" + (extraClass ? " " + extraClass : ""), dataset: { summary: key } },
      h("button", { type: "button", "aria-pressed": pressed ? "true" : "false", onclick: onclick }, countEl, h("span", { className: "summary-label" }, label))
    );
  }
  var f = state.filters;
  list.appendChild(
    item("total", s ? s.total : null, t("summary_total"), !f.stage && !f.overdue, function () {
      setFilters({ stage: "", overdue: false });
    })
  );
  STAGES.forEach(function (stage) {
    list.appendChild(
      item(stage, s ? s.byStage[stage] : null, term("stage", stage), f.stage === stage, function () {
        setFilters({ stage: f.stage === stage ? "" : stage });
      })
    );
  });
  list.appendChild(
    item("overdue", s ? s.overdue : null, t("summary_overdue"), f.overdue, function () {
      setFilters({ overdue: !f.overdue });
    }, "is-overdue")
  );
}

export function deadlineCell(deadline, overdue) {
  if (!deadline) {
    return h("span", { className: "muted" }, t("no_deadline"));
  }
  return [
    h("span", { className: "deadline-date" }, timeEl(deadline.due_on, false)),
    overdue ? h("span", { className: "badge badge-overdue", dataset: { badge: "overdue" } }, t("overdue")) : null,
    h("span", { className: "cell-sub" }, term("deadline", deadline.kind))
  ];
}

export function renderCases() {
  var body = $("cases-body");
  clear(body);
  var page = state.cases;
  var items = page ? page.items : [];
  var now = Date.now();
  Object.keys(state.highlight).forEach(function (id) {
    if (state.highlight[id] < now) {
      delete state.highlight[id];
    }
  });
  items.forEach(function (item) {
    var name = clientName(item.client);
    var updated = Boolean(state.highlight[item.case_id]);
    var classes = [];
    if (item.overdue) {
      classes.push("is-overdue");
    }
    if (updated) {
      classes.push("is-updated");
    }
    if (item.case_id === state.selectedId) {
      classes.push("is-selected");
    }
    var openButton = h(
      "button",
      {
        type: "button",
        className: "linklike",
        "aria-controls": "case-detail",
        "aria-expanded": item.case_id === state.selectedId ? "true" : "false"
      },
      name
    );
    var row = h(
      "tr",
      {
        className: classes.join(" "),
        dataset: { caseId: item.case_id, stage: item.stage, status: item.status },
        "data-overdue": item.overdue ? "true" : "false",
        "data-updated": updated ? "true" : null,
        "aria-current": item.case_id === state.selectedId ? "true" : null
      },
      h("td", null, openButton, updated ? h("span", { className: "badge badge-updated" }, t("updated")) : null),
      h("td", null, municipalityName(item), h("span", { className: "cell-sub" }, item.municipality_code)),
      h("td", null, h("span", { className: "stage stage-" + item.stage }, term("stage", item.stage))),
      h("td", null, term("status", item.status)),
      h("td", { dataset: { column: "assignee" } }, item.assignee || h("span", { className: "muted" }, t("not_assigned"))),
      h("td", null, deadlineCell(item.next_deadline, item.overdue)),
      h("td", null, timeEl(item.changed_at, true))
    );
    row.addEventListener("click", function (event) {
      openDetail(item.case_id, event.target === openButton);
    });
    body.appendChild(row);
  });
  // Rows stay marked only for this render: the flash plays once.
  items.forEach(function (item) {
    delete state.highlight[item.case_id];
  });

  renderPager(PAGED_LISTS.cases, page, items.length);
}

/** A list's count, its "none" text, and its pager (hidden when everything fits on one page). */
export function renderPager(list, page, shown) {
  var total = page ? page.total : 0;
  var pages = pageCount(list, total);
  $(list.ids.count).textContent = page ? list.count(total) : "";
  $(list.ids.empty).hidden = !page || shown > 0;
  $(list.ids.pagination).hidden = !page || pages <= 1;
  $(list.ids.info).textContent = t("page_info", { page: state[list.page], pages: pages });
  $(list.ids.prev).textContent = t("prev_page");
  $(list.ids.prev).disabled = state[list.page] <= 1;
  $(list.ids.next).textContent = t("next_page");
  $(list.ids.next).disabled = state[list.page] >= pages;
}

export function dlRow(label, value) {
  return [h("dt", null, label), h("dd", null, value === "" || value === null || value === undefined ? t("not_recorded") : value)];
}

export function renderDetail() {
  var panel = $("case-detail");
  var body = $("detail-body");
  if ($("case-work")) {
    keepInputs($("case-work"));
  }
  clear(body);
  if (!state.selectedId || !state.detail) {
    panel.hidden = true;
    panel.removeAttribute("data-case-id");
    return;
  }
  panel.hidden = false;
  panel.setAttribute("data-case-id", state.selectedId);
  if (state.detail.status === "loading") {
    panel.setAttribute("aria-busy", "true");
    body.appendChild(h("p", { className: "muted" }, t("loading_detail")));
    return;
  }
  panel.removeAttribute("aria-busy");
  if (state.detail.status === "error") {
    body.appendChild(h("p", { className: "field-error", role: "alert" }, errorText(state.detail.messages)));
    return;
  }
  var c = state.detail.data;
  var client = c.client;

  body.appendChild(h("h3", null, t("client_heading")));
  var clientList = h("dl", { id: "detail-client" });
  append(clientList, dlRow(t("field_name"), clientName(client)));
  if (client) {
    append(clientList, dlRow(t("field_birth_date"), client.birth_date ? timeEl(client.birth_date, false) : ""));
    append(clientList, dlRow(t("field_nationality"), displayName("region", client.nationality)));
    append(clientList, dlRow(t("field_native_language"), displayName("language", client.native_language)));
    append(
      clientList,
      dlRow(
        t("field_preferred_languages"),
        (client.preferred_languages || [])
          .map(function (code) {
            return displayName("language", code);
          })
          .join(", ")
      )
    );
    append(clientList, dlRow(t("field_residence_basis"), term("basis", client.residence_basis)));
    if (client.target_group) {
      append(clientList, dlRow(t("field_target_group"), term("target_group", client.target_group)));
    }
    append(clientList, dlRow(t("field_lead"), term("lead", client.lead)));
    if (client.client_groups) { // the projects' groups (client_groups.js offers the staff decision on them)
      append(clientList, dlRow(t("field_client_groups"), h("span", { id: "client-groups-now", dataset: { groups: client.client_groups.join(",") } },
        client.client_groups.map(function (one) { return term("client_group", one); }).join(", ") || t("client_group.none"))));
    }
    if (client.guardian) append(clientList, dlRow(t("field_guardian"), term("guardian_role", client.guardian.role) + ": " + client.guardian.name));
    // Language needs (PUT …/language-needs, docs/client-messages.md): shown when recorded.
    if (client.interpreter_language) {
      var dialect = client.interpreter_dialect ? " (" + client.interpreter_dialect + ")" : "";
      append(clientList, dlRow(t("field_interpreter"), displayName("language", client.interpreter_language) + dialect));
    }
    if (client.integration_language) {
      append(clientList, dlRow(t("field_integration_language"), displayName("language", client.integration_language)));
    }
  }
  body.appendChild(clientList);

  body.appendChild(h("h3", null, t("case_heading")));
  var caseList = h("dl", { id: "detail-case" });
  append(caseList, dlRow(t("field_municipality"), municipalityName(c) + " (" + c.municipality_code + ")"));
  append(caseList, dlRow(t("field_stage"), term("stage", c.stage)));
  append(caseList, dlRow(t("field_status"), term("status", c.status)));
  append(caseList, dlRow(t("field_deadline"), deadlineCell(c.next_deadline, c.overdue)));
  append(caseList, dlRow(t("field_assignee"), c.assignee || t("not_assigned")));
  append(caseList, dlRow(t("field_changed"), timeEl(c.changed_at, true)));
  append(caseList, dlRow(t("field_reason"), reasonText(c.reason)));
  body.appendChild(caseList);
  renderCaseWork(body, c);

  body.appendChild(h("h3", null, t("deadlines_heading")));
  var deadlines = c.deadlines || [];
  if (!deadlines.length) {
    body.appendChild(h("p", { className: "empty" }, t("no_deadlines")));
  } else {
    var list = h("ul", { id: "detail-deadlines" });
    deadlines.forEach(function (deadline) {
      var isNext = c.next_deadline && c.next_deadline.kind === deadline.kind && c.next_deadline.due_on === deadline.due_on;
      list.appendChild(
        h(
          "li",
          { dataset: { kind: deadline.kind } },
          term("deadline", deadline.kind) + ": ",
          timeEl(deadline.due_on, false),
          isNext ? " (" + t("next_deadline_marker") + ")" : "",
          isNext && c.overdue ? h("span", { className: "badge badge-overdue", dataset: { badge: "overdue" } }, t("overdue")) : null
        )
      );
    });
    body.appendChild(list);
  }

  body.appendChild(h("h3", null, t("timeline_heading")));
  var timeline = (c.timeline || []).slice().reverse(); // newest first
  var told = clientMessagesOf(state.selectedId);
  if (!timeline.length) {
    body.appendChild(h("p", { className: "empty" }, t("no_timeline")));
  } else {
    var ol = h("ol", { id: "detail-timeline", className: "timeline", reversed: true });
    timeline.forEach(function (entry) {
      ol.appendChild(
        h(
          "li",
          null,
          timeEl(entry.at, true),
          h("br"),
          term("stage", entry.stage) + " – " + term("status", entry.status),
          h("span", { className: "cell-sub" }, reasonText(entry.reason)),
          entry.next_deadline
            ? h("span", { className: "cell-sub" }, term("deadline", entry.next_deadline.kind) + ": ", timeEl(entry.next_deadline.due_on, false))
            : null
        )
      );
    });
    // What the client was told, under the change it followed: how and in which language, never the text.
    told.forEach(function (m) {
      var entries = Array.prototype.slice.call(ol.children);
      var after = entries.filter(function (item) {
        return Date.parse(item.querySelector("time").getAttribute("datetime")) <= Date.parse(m.at);
      })[0] || entries[entries.length - 1];
      after.appendChild(h("span", { className: "cell-sub client-message" },
        term("reason", m.reason) + " (" + m.channel + ", " + m.language + ")"));
    });
    body.appendChild(ol);
  }
}
