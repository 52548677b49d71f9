/* Loading: the cases, the summary, the notifications, a case's detail and the notices and
 * reviews panels from the API into `state`, and the panels' actions; then the views redraw. */
import { query } from "../lib/api.js";
import { loadAssessment } from "./assessment.js";
import { loadClientMessages, loadSelfReport } from "./client-messages.js";
import { renderNotices, renderNotifications, renderReviews } from "./panels.js";
import { loadPlan } from "./plan.js";
import { NOTICES_PAGE_SIZE, NOTICES_URL, PAGE_SIZE, REVIEWS_PAGE_SIZE, REVIEW_URLS, STAGES, TRIAGE_URL, requests, state } from "./state.js";
import { $, api, errorState, personName, plural } from "./ui.js";
import { enterApp, renderCases, renderDetail, renderError, renderSummary, showSignin } from "./views.js";

export function caseFilterParams() {
  var f = state.filters;
  return {
    municipality: f.municipality,
    stage: f.stage,
    overdue: f.overdue ? "true" : "",
    due_within_days: f.due,
    q: f.q
  };
}

// --- Loading ----------------------------------------------------------------------------------

// The paged lists: where each keeps its page number, how long a page is, how it is loaded, its
// count's text and the elements of its pager.
export var PAGED_LISTS = {
  cases: {
    page: "page", size: PAGE_SIZE, load: loadCases,
    count: function (total) { return plural("cases_count", total); },
    ids: { count: "cases-count", empty: "cases-empty", pagination: "pagination", info: "page-info", prev: "page-prev", next: "page-next" }
  },
  notices: {
    page: "noticesPage", size: NOTICES_PAGE_SIZE, load: loadNotices,
    count: function (total) { return plural("notices_count", total); },
    ids: {
      count: "notices-count", empty: "notices-empty", pagination: "notices-pagination", info: "notices-page-info",
      prev: "notices-prev", next: "notices-next"
    }
  }
};

export function pageCount(list, total) {
  return Math.max(1, Math.ceil(total / list.size));
}

/** Whether the list shrank under us past the page shown: then its last page is the one to show. */
export function pastLastPage(list, page) {
  var pages = pageCount(list, page.total);
  if (page.total > 0 && state[list.page] > pages) {
    state[list.page] = pages;
    return true;
  }
  return false;
}

export function handleFailure(failure, target) {
  if (failure && failure.status === 401) {
    showSignin(failure);
    return;
  }
  if (target === "detail") {
    state.detail = { status: "error", messages: errorState(failure) };
    renderDetail();
    return;
  }
  state.error = errorState(failure);
  renderError();
}

export function loadCases() {
  var id = ++requests.cases;
  var params = caseFilterParams();
  params.page = state.page;
  params.page_size = PAGE_SIZE;
  state.casesLoading = true;
  $("cases").setAttribute("aria-busy", "true");
  return api("/api/v1/cases" + query(params)).then(
    function (page) {
      if (id !== requests.cases) {
        return;
      }
      state.casesLoading = false;
      $("cases").removeAttribute("aria-busy");
      if (pastLastPage(PAGED_LISTS.cases, page)) {
        return loadCases();
      }
      state.cases = page;
      if (state.error) {
        state.error = null;
        renderError();
      }
      if (state.signedIn !== true) {
        enterApp();
      }
      renderCases();
    },
    function (failure) {
      if (id !== requests.cases) {
        return;
      }
      state.casesLoading = false;
      $("cases").removeAttribute("aria-busy");
      if (state.signedIn === null && !(failure && failure.status === 401)) {
        // The very first call failed for another reason (server or network down): say so and
        // try again in a while.
        $("loading").hidden = true;
        setTimeout(function () {
          if (state.signedIn === null) {
            loadCases();
          }
        }, 5000);
      }
      handleFailure(failure);
    }
  );
}

export function loadSummary() {
  var id = ++requests.summary;
  var base = { municipality: state.filters.municipality, page_size: 1 };
  function count(extra) {
    var params = {};
    Object.keys(base).forEach(function (k) {
      params[k] = base[k];
    });
    Object.keys(extra).forEach(function (k) {
      params[k] = extra[k];
    });
    return api("/api/v1/cases" + query(params)).then(function (page) {
      return page.total;
    });
  }
  var calls = [count({}), count({ overdue: "true" })].concat(
    STAGES.map(function (stage) {
      return count({ stage: stage });
    })
  );
  return Promise.all(calls).then(
    function (totals) {
      if (id !== requests.summary) {
        return;
      }
      var byStage = {};
      STAGES.forEach(function (stage, i) {
        byStage[stage] = totals[i + 2];
      });
      state.summary = { total: totals[0], overdue: totals[1], byStage: byStage };
      renderSummary();
    },
    function (failure) {
      if (id === requests.summary) {
        handleFailure(failure);
      }
    }
  );
}

export function loadNotifications() {
  var id = ++requests.notifications;
  return api("/api/v1/notifications").then(
    function (items) {
      if (id !== requests.notifications) {
        return;
      }
      state.notifications = items || [];
      renderNotifications();
    },
    function (failure) {
      if (id === requests.notifications) {
        handleFailure(failure);
      }
    }
  );
}

export function loadDetail(caseId) {
  var id = ++requests.detail;
  return api("/api/v1/cases/" + encodeURIComponent(caseId)).then(
    function (data) {
      if (id !== requests.detail || state.selectedId !== caseId) {
        return;
      }
      state.detail = { status: "ok", data: data };
      renderDetail();
      loadAssessment(caseId);
      loadPlan(caseId);
      loadClientMessages(caseId);
      loadSelfReport(caseId);
    },
    function (failure) {
      if (id !== requests.detail || state.selectedId !== caseId) {
        return;
      }
      handleFailure(failure, "detail");
    }
  );
}

// The notices and reviews panels work alike. Each keeps in `state`, under its name, its answer and
// load error, the message of a refused action and what the last action did (for screen readers);
// here: the element that is busy while it loads, where it marks its busy items, how it is drawn
// and loaded.
export var PANELS = {
  notices: { busyElement: "notices-table", busyItems: "noticeBusy", render: renderNotices, load: loadNotices },
  reviews: { busyElement: "reviews", busyItems: "reviewBusy", render: renderReviews, load: loadReviews }
};
export var panelRequests = { notices: 0, reviews: 0 };

/** Loads a panel; only the answer to its latest request counts. `accept` keeps the answer, or
 *  returns the promise of loading the panel again instead. */
export function loadPanel(name, request, accept) {
  var panel = PANELS[name];
  var id = ++panelRequests[name];
  function latest() {
    if (id !== panelRequests[name]) {
      return false;
    }
    $(panel.busyElement).removeAttribute("aria-busy");
    return true;
  }
  $(panel.busyElement).setAttribute("aria-busy", "true");
  return request().then(
    function (answer) {
      if (!latest()) {
        return;
      }
      var again = accept(answer);
      if (again) {
        return again;
      }
      state[name + "LoadError"] = null;
      panel.render();
    },
    function (failure) {
      if (!latest()) {
        return;
      }
      if (failure && failure.status === 401) {
        showSignin(failure);
        return;
      }
      state[name + "LoadError"] = errorState(failure);
      panel.render();
    }
  );
}

export function loadNotices() {
  var params = { status: state.noticesStatus, page: state.noticesPage, page_size: NOTICES_PAGE_SIZE };
  return loadPanel(
    "notices",
    function () {
      return api(NOTICES_URL + query(params));
    },
    function (page) {
      if (pastLastPage(PAGED_LISTS.notices, page)) {
        return loadNotices();
      }
      state.notices = page;
    }
  );
}

export function loadReviews() {
  var params = query({ status: "open", page_size: REVIEWS_PAGE_SIZE });
  return loadPanel(
    "reviews",
    function () {
      return Promise.all([
        api(REVIEW_URLS.match + params),
        api(REVIEW_URLS.duplicate + params),
        api(TRIAGE_URL + query({ page_size: REVIEWS_PAGE_SIZE }))
      ]);
    },
    function (pages) {
      state.reviews = { match: pages[0], duplicate: pages[1], triage: pages[2] };
    }
  );
}

/** After an action: keep the keyboard user in the panel when the pressed button went away. */
export function keepFocusIn(panelId) {
  var active = document.activeElement;
  if (!active || active === document.body || !document.contains(active)) {
    $(panelId).focus();
  }
}

/** An action on one item of a panel: the item is busy meanwhile; then the panel loads again and
 *  keeps the keyboard user in it. `alsoLoad` loads what else the action changes. */
export function panelAction(name, itemId, request, done, alsoLoad) {
  var panel = PANELS[name];
  if (state[panel.busyItems][itemId]) {
    return;
  }
  state[panel.busyItems][itemId] = true;
  state[name + "Message"] = null;
  state[name + "Done"] = null;
  panel.render();
  request().then(
    function () {
      delete state[panel.busyItems][itemId];
      state[name + "Done"] = done;
      alsoLoad();
      return panel.load().then(function () {
        keepFocusIn(name);
      });
    },
    function (failure) {
      delete state[panel.busyItems][itemId];
      if (failure && failure.status === 401) {
        showSignin(failure);
        return;
      }
      state[name + "Message"] = errorState(failure);
      if (failure && (failure.status === 409 || failure.status === 404)) {
        panel.load(); // someone else already acted: show what is true now
        alsoLoad();
      } else {
        panel.render();
      }
    }
  );
}

export function acknowledgeNotice(notice) {
  panelAction(
    "notices",
    notice.id,
    function () {
      return api(NOTICES_URL + "/" + encodeURIComponent(notice.id) + "/acknowledgement", { method: "POST" });
    },
    { key: "notice_acknowledged", params: { name: personName(notice.recruit) } },
    function () {}
  );
}

export function resolveReview(kind, review, decision) {
  var url = REVIEW_URLS[kind] + "/" + encodeURIComponent(review.id) + "/resolution";
  panelAction(
    "reviews",
    review.id,
    function () {
      return api(url, { method: "POST", body: { decision: decision } });
    },
    { key: "review_resolved" },
    function () {
      if (kind === "match") {
        loadNotices(); // a match makes the notice arrive
      }
    }
  );
}

/** The staff decision on a client's target group, with its reason (the clock starts, or guidance). */
export function decideTargetGroup(item, body) {
  panelAction(
    "reviews",
    item.case_id,
    function () {
      return api("/api/v1/cases/" + encodeURIComponent(item.case_id) + "/target-group", { method: "POST", body: body });
    },
    { key: "triage_decided" },
    function () {
      loadCases();
    }
  );
}
