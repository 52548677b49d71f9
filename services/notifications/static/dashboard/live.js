/* Live updates: the case stream (GET /api/v1/cases/stream, SSE) and the refresh of what it changed. */
import { loadCases, loadDetail, loadNotices, loadNotifications, loadReviews, loadSummary } from "./loading.js";
import { HIGHLIGHT_MS, REFRESH_DEBOUNCE_MS, REFRESH_MAX_WAIT_MS, state } from "./state.js";
import { renderLive } from "./views.js";

// Live updates arrive in bursts: refresh once for a burst, but at least every REFRESH_MAX_WAIT_MS.
export var refreshTimer = null;
export var refreshFirstAsked = 0;
export var refreshDetail = false;

export function scheduleRefresh(withDetail) {
  if (withDetail) {
    refreshDetail = true;
  }
  var now = Date.now();
  if (refreshTimer === null) {
    refreshFirstAsked = now;
  } else {
    clearTimeout(refreshTimer);
  }
  var wait = Math.max(0, Math.min(REFRESH_DEBOUNCE_MS, refreshFirstAsked + REFRESH_MAX_WAIT_MS - now));
  refreshTimer = setTimeout(runRefresh, wait);
}

export function runRefresh() {
  refreshTimer = null;
  if (state.signedIn !== true) {
    return;
  }
  loadCases();
  loadSummary();
  loadNotifications();
  loadNotices();
  loadReviews();
  if (refreshDetail && state.selectedId) {
    loadDetail(state.selectedId);
  }
  refreshDetail = false;
}

// --- Live stream ------------------------------------------------------------------------------

export var source = null;
export var retryTimer = null;
export var retryDelay = 1000;

export function startStream() {
  stopStream();
  if (typeof window.EventSource === "undefined") {
    return;
  }
  setLive(state.live === "reconnecting" ? "reconnecting" : "connecting");
  var es = new EventSource("/api/v1/cases/stream", { withCredentials: true });
  source = es;
  es.addEventListener("open", function () {
    if (source !== es) {
      return;
    }
    var wasDown = state.live === "reconnecting";
    retryDelay = 1000;
    setLive("live");
    if (wasDown) {
      scheduleRefresh(true); // changes may have been missed while away
    }
  });
  es.addEventListener("case.updated", function (event) {
    if (source !== es) {
      return;
    }
    onCaseUpdated(event);
  });
  es.addEventListener("reset", function () {
    if (source === es) {
      scheduleRefresh(true); // away longer than the feed replays: reload what is shown
    }
  });
  es.addEventListener("error", function () {
    if (source !== es) {
      return;
    }
    setLive("reconnecting");
    if (es.readyState === 2) {
      // CLOSED: the browser gave up (e.g. the session ended or the server refused). Check the
      // session and try again with a growing delay.
      es.close();
      source = null;
      clearTimeout(retryTimer);
      retryTimer = setTimeout(function () {
        retryTimer = null;
        loadCases().then(function () {
          if (state.signedIn === true && source === null) {
            startStream();
          }
        });
      }, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    }
    // Otherwise (CONNECTING) the browser reconnects by itself, sending Last-Event-ID.
  });
}

export function stopStream() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (source) {
    source.close();
    source = null;
  }
}

export function onCaseUpdated(event) {
  var data = null;
  try {
    data = JSON.parse(event.data);
  } catch (e) {
    data = null;
  }
  var caseId = data && data.case_id;
  if (caseId) {
    state.highlight[caseId] = Date.now() + HIGHLIGHT_MS;
  }
  scheduleRefresh(Boolean(caseId && caseId === state.selectedId));
}

export function setLive(value) {
  state.live = value;
  renderLive();
}
