/* Kotopolku staff dashboard: cases, deadlines and live updates, in Finnish, Swedish and English.
 *
 * Plain JavaScript, no dependencies. Talks to the notifications service's JSON API with the
 * httponly session cookie (set by POST /session), and follows GET /api/v1/cases/stream (SSE).
 * Every text a person reads comes from the translation catalogue (shared/locale/, fetched from
 * /dashboard/texts/<lang>.json); data from the API is only ever inserted as text (never as HTML).
 */
(function () {
  "use strict";

  var LANGS = ["fi", "sv", "en"];
  var DEFAULT_LANG = "fi";
  var STORAGE_KEY = "kotopolku.lang";
  var PAGE_SIZE = 25;
  var STAGES = ["intake", "assessment", "planning", "follow_up", "closed"];
  var REFRESH_DEBOUNCE_MS = 400;
  var REFRESH_MAX_WAIT_MS = 2000;
  var HIGHLIGHT_MS = 6000;
  var NOTICE_STATUSES = ["received", "acknowledged", "arrived", "expired", "withdrawn"];
  var NOTICES_PAGE_SIZE = 25;
  var REVIEWS_PAGE_SIZE = 50;
  var NOTICES_URL = "/api/v1/municipal/recruitment-notices";
  var REVIEW_URLS = { match: "/api/v1/municipal/match-reviews", duplicate: "/api/v1/municipal/duplicate-reviews" };
  // The triage queue: clients whose target group staff decide (docs/case-statuses.md `needs_triage`).
  var TRIAGE_URL = "/api/v1/municipal/triage";
  var TARGET_GROUPS = [
    "international_protection", "social_assistance", "child_home_care_allowance", "unaccompanied_minor",
    "trafficking_victim", "other_need", "jobseeker", "none"
  ];

  // --- Texts ------------------------------------------------------------------------------------

  // Every text a person reads comes from the translation catalogue (shared/locale/, the
  // `dashboard.*` messages), served one language at a time; each language is fetched once.
  var TEXTS_URL = "/dashboard/texts/";
  var TEXTS = {}; // lang -> {key: text}, once loaded
  var textsLoading = {}; // lang -> Promise of the texts (null when they could not be loaded)
  var wantedLang = null; // the language chosen last, while its texts load

  function loadTexts(lang) {
    if (!textsLoading[lang]) {
      textsLoading[lang] = fetch(TEXTS_URL + lang + ".json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("texts " + lang + ": HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (texts) {
          TEXTS[lang] = texts;
          return texts;
        })
        .catch(function () {
          delete textsLoading[lang]; // asked again on the next switch
          return null;
        });
    }
    return textsLoading[lang];
  }

  // --- State ------------------------------------------------------------------------------------

  var state = {
    lang: DEFAULT_LANG,
    signedIn: null, // null until the first answer; then true or false
    filters: { stage: "", municipality: "", q: "", overdue: false, due: "" },
    page: 1,
    cases: null, // {items, total, page, page_size}
    casesLoading: false,
    summary: null, // {total, overdue, byStage: {stage: n}}
    notifications: null,
    selectedId: null,
    detail: null, // {status: "loading"|"ok"|"error", data, messages}
    error: null, // {key, params} or {messages}
    signinError: null, // {key} or {messages}
    live: "off", // off | connecting | live | reconnecting
    highlight: {}, // case_id -> time until which the row is marked as updated
    notices: null, // {items, total, page, page_size}
    noticesPage: 1,
    noticesStatus: "",
    noticesMessage: null, // a refused or failed action: {key, params} or {messages}
    noticesLoadError: null,
    noticesDone: null, // what the last action did, for screen readers: {key, params}
    noticeBusy: {}, // notice id -> true while acknowledging
    reviews: null, // {match: page, duplicate: page}
    reviewsMessage: null,
    reviewsLoadError: null,
    reviewsDone: null,
    reviewBusy: {}, // review id -> true while deciding
    me: null, // the signed-in user: {sub, name, roles, municipalities}
    assessment: null, // the selected case's assessment: {caseId, data (null: none), missing}
    assessmentMessage: null, // a refused or failed command of the case view
    assessmentDone: null, // what the last command did, for screen readers: {key}
    assessmentBusy: false,
    messagePanel: "assessment", // which panel of the case view the last command's answer belongs to
    plan: null, // the selected case's plan: {caseId, data (null: none), family}
    keptInputs: {}, // what was typed in the case view's forms, kept across re-renders
    figures: null, // the assessment figures of the chosen period and grouping
    figuresMessage: null,
    planFigures: null, // the integration plan figures of the same period and grouping
    planFiguresMessage: null
  };

  var casesRequest = 0;
  var summaryRequest = 0;
  var notificationsRequest = 0;
  var detailRequest = 0;

  // --- Helpers ----------------------------------------------------------------------------------

  function $(id) {
    return document.getElementById(id);
  }

  function t(key, params) {
    var texts = TEXTS[state.lang] || TEXTS[DEFAULT_LANG] || {};
    var text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : null;
    if (text === null) {
      text = TEXTS.en && Object.prototype.hasOwnProperty.call(TEXTS.en, key) ? TEXTS.en[key] : key;
    }
    if (params) {
      text = text.replace(/\{(\w+)\}/g, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole;
      });
    }
    return text;
  }

  /** A translated code (stage, status, ...) or, for a value the dictionary doesn't know, the value. */
  function term(prefix, value) {
    if (value === null || value === undefined || value === "") {
      return "";
    }
    var key = prefix + "." + value;
    var texts = TEXTS[state.lang] || TEXTS[DEFAULT_LANG] || {};
    return Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : String(value);
  }

  // A timeline reason: a code (its words are in the catalogue), then what it was about after ": "
  // (for a plan or a measure: the plan's type, the measure's kind and status, in words too).
  var REASON_DETAIL_TERMS = {
    "plan.made": ["plan_type"],
    "plan.measure_added": ["measure_kind"],
    "plan.measure_updated": ["measure_kind", "measure_status"]
  };
  function reasonText(reason) {
    var at = reason ? reason.indexOf(": ") : -1;
    if (at < 0) {
      return term("reason", reason);
    }
    var code = reason.slice(0, at), detail = reason.slice(at + 2), prefixes = REASON_DETAIL_TERMS[code];
    if (prefixes) {
      detail = detail.split(" ").map(function (word, i) { return term(prefixes[i] || prefixes[0], word); }).join(" ");
    }
    return term("reason", code) + ": " + detail;
  }

  function plural(base, n) {
    return t(n === 1 ? base + "_one" : base + "_other", { n: n });
  }

  /** Creates an element: h("p", {className: "x", dataset: {a: 1}}, "text", childNode, ...). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) {
          return;
        }
        if (name === "className") {
          el.className = value;
        } else if (name === "dataset") {
          Object.keys(value).forEach(function (k) {
            el.dataset[k] = value[k];
          });
        } else if (name === "onclick") {
          el.addEventListener("click", value);
        } else if (name === "text") {
          el.textContent = value;
        } else {
          el.setAttribute(name, value === true ? "" : String(value));
        }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      append(el, arguments[i]);
    }
    return el;
  }

  /** A select's options: first one for no value when `noneText` is given, then one per value
   *  (its text translated under `prefix`, when given). */
  function addOptions(select, noneText, values, prefix) {
    if (noneText) {
      select.appendChild(h("option", { value: "" }, noneText));
    }
    values.forEach(function (value) {
      select.appendChild(h("option", { value: value }, prefix ? term(prefix, value) : value));
    });
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) {
      return;
    }
    if (Array.isArray(child)) {
      child.forEach(function (c) {
        append(el, c);
      });
    } else if (typeof child === "string" || typeof child === "number") {
      el.appendChild(document.createTextNode(String(child)));
    } else {
      el.appendChild(child);
    }
  }

  function clear(el) {
    while (el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** A timestamp from the API; one without an offset is UTC (as the service stores them). */
  function parseTime(value) {
    var text = String(value);
    if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) {
      text += "Z";
    }
    return new Date(text);
  }

  /** d.M.yyyy in Finnish and Swedish, yyyy-MM-dd in English. Accepts "yyyy-MM-dd" or an ISO time. */
  function formatDate(value) {
    if (!value) {
      return "";
    }
    var y, m, d;
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (match) {
      y = +match[1];
      m = +match[2];
      d = +match[3];
    } else {
      var date = parseTime(value);
      if (isNaN(date.getTime())) {
        return String(value);
      }
      y = date.getFullYear();
      m = date.getMonth() + 1;
      d = date.getDate();
    }
    return state.lang === "en" ? y + "-" + pad(m) + "-" + pad(d) : d + "." + m + "." + y;
  }
  // Swedish names where Swedish is read (Vasa, not Vaasa); Finnish otherwise.
  function municipalityName(item) {
    return (state.lang === "sv" && item.municipality_name_sv) || item.municipality_name;
  }


  /** Date and local time: "23.11.2026 klo 10.05" (fi), "23.11.2026 kl. 10.05" (sv), "2026-11-23 10:05" (en). */
  function formatDateTime(value) {
    if (!value) {
      return "";
    }
    var date = parseTime(value);
    if (isNaN(date.getTime())) {
      return String(value);
    }
    var day = state.lang === "en"
      ? date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate())
      : date.getDate() + "." + (date.getMonth() + 1) + "." + date.getFullYear();
    var time = state.lang === "en"
      ? pad(date.getHours()) + ":" + pad(date.getMinutes())
      : date.getHours() + "." + pad(date.getMinutes());
    return t("date_time", { day: day, time: time });
  }

  function timeEl(value, withTime) {
    return h("time", { datetime: value }, withTime ? formatDateTime(value) : formatDate(value));
  }

  var displayNames = {};

  /** Language or country names in the UI language where the browser knows them; else the code. */
  function displayName(type, code) {
    if (!code) {
      return "";
    }
    try {
      if (typeof Intl === "undefined" || !Intl.DisplayNames) {
        return code;
      }
      var key = type + ":" + state.lang;
      if (!displayNames[key]) {
        displayNames[key] = new Intl.DisplayNames([state.lang], { type: type, fallback: "code" });
      }
      var lookup = type === "region" ? String(code).toUpperCase() : String(code).toLowerCase();
      if (type === "region" && !/^([A-Z]{2}|\d{3})$/.test(lookup)) {
        return code;
      }
      var name = displayNames[key].of(lookup);
      if (!name || name.toLowerCase() === lookup.toLowerCase()) {
        return code;
      }
      return name.charAt(0).toLocaleUpperCase(state.lang) + name.slice(1);
    } catch (e) {
      return code;
    }
  }

  function personName(person) {
    return person ? (person.given_names + " " + person.family_name).trim() : "";
  }

  function clientName(client) {
    if (!client) {
      return t("unknown_client");
    }
    return (client.given_names + " " + client.family_name).trim();
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fn.apply(null, args);
      }, ms);
    };
  }

  // --- API --------------------------------------------------------------------------------------

  function ApiFailure(status, body) {
    this.status = status;
    this.body = body;
    var detail = body && body.detail;
    this.code = (detail && detail.code) || (body && body.code) || null;
    this.messages = (detail && detail.messages) || (body && body.messages) || null;
  }

  /** GET by default; api(path, {method: "POST", body: {...}}) sends JSON. */
  function api(path, init) {
    var options = {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "Accept-Language": state.lang }
    };
    if (init && init.method) {
      options.method = init.method;
    }
    if (init && init.body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(init.body);
    }
    return fetch(path, options).then(
      function (response) {
        return response.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = null;
          }
          if (!response.ok) {
            throw new ApiFailure(response.status, body);
          }
          return body;
        });
      },
      function () {
        throw new ApiFailure(0, null);
      }
    );
  }

  function errorState(failure) {
    if (failure && failure.messages) {
      return { messages: failure.messages };
    }
    if (!failure || failure.status === 0) {
      return { key: "network_error" };
    }
    return { key: "error_generic", params: { status: failure.status } };
  }

  function errorText(error) {
    if (!error) {
      return "";
    }
    if (error.messages) {
      return error.messages[state.lang] || error.messages.en || error.messages.fi || "";
    }
    return t(error.key, error.params);
  }

  function query(params) {
    var parts = [];
    Object.keys(params).forEach(function (name) {
      var value = params[name];
      if (value !== null && value !== undefined && value !== "" && value !== false) {
        parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(String(value)));
      }
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function caseFilterParams() {
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
  var PAGED_LISTS = {
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

  function pageCount(list, total) {
    return Math.max(1, Math.ceil(total / list.size));
  }

  /** Whether the list shrank under us past the page shown: then its last page is the one to show. */
  function pastLastPage(list, page) {
    var pages = pageCount(list, page.total);
    if (page.total > 0 && state[list.page] > pages) {
      state[list.page] = pages;
      return true;
    }
    return false;
  }

  function handleFailure(failure, target) {
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

  function loadCases() {
    var id = ++casesRequest;
    var params = caseFilterParams();
    params.page = state.page;
    params.page_size = PAGE_SIZE;
    state.casesLoading = true;
    $("cases").setAttribute("aria-busy", "true");
    return api("/api/v1/cases" + query(params)).then(
      function (page) {
        if (id !== casesRequest) {
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
        if (id !== casesRequest) {
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

  function loadSummary() {
    var id = ++summaryRequest;
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
        if (id !== summaryRequest) {
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
        if (id === summaryRequest) {
          handleFailure(failure);
        }
      }
    );
  }

  function loadNotifications() {
    var id = ++notificationsRequest;
    return api("/api/v1/notifications").then(
      function (items) {
        if (id !== notificationsRequest) {
          return;
        }
        state.notifications = items || [];
        renderNotifications();
      },
      function (failure) {
        if (id === notificationsRequest) {
          handleFailure(failure);
        }
      }
    );
  }

  function loadDetail(caseId) {
    var id = ++detailRequest;
    return api("/api/v1/cases/" + encodeURIComponent(caseId)).then(
      function (data) {
        if (id !== detailRequest || state.selectedId !== caseId) {
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
        if (id !== detailRequest || state.selectedId !== caseId) {
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
  var PANELS = {
    notices: { busyElement: "notices-table", busyItems: "noticeBusy", render: renderNotices, load: loadNotices },
    reviews: { busyElement: "reviews", busyItems: "reviewBusy", render: renderReviews, load: loadReviews }
  };
  var panelRequests = { notices: 0, reviews: 0 };

  /** Loads a panel; only the answer to its latest request counts. `accept` keeps the answer, or
   *  returns the promise of loading the panel again instead. */
  function loadPanel(name, request, accept) {
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

  function loadNotices() {
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

  function loadReviews() {
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
  function keepFocusIn(panelId) {
    var active = document.activeElement;
    if (!active || active === document.body || !document.contains(active)) {
      $(panelId).focus();
    }
  }

  /** An action on one item of a panel: the item is busy meanwhile; then the panel loads again and
   *  keeps the keyboard user in it. `alsoLoad` loads what else the action changes. */
  function panelAction(name, itemId, request, done, alsoLoad) {
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

  function acknowledgeNotice(notice) {
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

  function resolveReview(kind, review, decision) {
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
  function decideTargetGroup(item, body) {
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

  // Live updates arrive in bursts: refresh once for a burst, but at least every REFRESH_MAX_WAIT_MS.
  var refreshTimer = null;
  var refreshFirstAsked = 0;
  var refreshDetail = false;

  function scheduleRefresh(withDetail) {
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

  function runRefresh() {
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

  var source = null;
  var retryTimer = null;
  var retryDelay = 1000;

  function startStream() {
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

  function stopStream() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (source) {
      source.close();
      source = null;
    }
  }

  function onCaseUpdated(event) {
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

  function setLive(value) {
    state.live = value;
    renderLive();
  }

  // --- Views ------------------------------------------------------------------------------------

  /** Shows the dashboard (signed in) or the sign-in view, instead of the loading note. */
  function showView(signedIn) {
    $("loading").hidden = true;
    $("signin-view").hidden = signedIn;
    $("app-view").hidden = !signedIn;
    $("signout-form").hidden = !signedIn;
  }

  function enterApp() {
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
    startStream();
  }

  function showSignin(failure) {
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

  function renderAll() {
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
    }
  }

  function translateStatic() {
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

  function renderLanguageButtons() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-lang") === state.lang ? "true" : "false");
    });
  }

  function renderError() {
    var box = $("error");
    var text = errorText(state.error);
    box.textContent = text;
    box.hidden = !text;
  }

  function renderSignin() {
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

  function renderLive() {
    var box = $("live-status");
    box.setAttribute("data-state", state.live);
    box.hidden = state.live === "off";
    var key = state.live === "live" ? "live_live" : state.live === "reconnecting" ? "live_reconnecting" : "live_connecting";
    $("live-status-text").textContent = t(key);
    box.title = state.live === "live" ? t("live_title_live") : state.live === "reconnecting" ? t("live_title_reconnecting") : "";
  }

  function renderStageOptions() {
    var select = $("filter-stage");
    clear(select);
    addOptions(select, t("all_stages"), STAGES, "stage");
    select.value = state.filters.stage;
  }

  function renderSummary() {
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

  function deadlineCell(deadline, overdue) {
    if (!deadline) {
      return h("span", { className: "muted" }, t("no_deadline"));
    }
    return [
      h("span", { className: "deadline-date" }, timeEl(deadline.due_on, false)),
      overdue ? h("span", { className: "badge badge-overdue", dataset: { badge: "overdue" } }, t("overdue")) : null,
      h("span", { className: "cell-sub" }, term("deadline", deadline.kind))
    ];
  }

  function renderCases() {
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
  function renderPager(list, page, shown) {
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

  function dlRow(label, value) {
    return [h("dt", null, label), h("dd", null, value === "" || value === null || value === undefined ? t("not_recorded") : value)];
  }

  function renderDetail() {
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

  // Messages to the client of a case (GET …/client/messages), kept beside its detail.
  function clientMessagesOf(caseId) {
    return (state.clientMessages && state.clientMessages.caseId === caseId && state.clientMessages.items) || [];
  }

  function loadClientMessages(caseId) {
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
  function loadSelfReport(caseId) {
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
  function selfReportBlock(c) {
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

  function renderNotifications() {
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
  function renderPanelMessages(prefix, message, loadError, done) {
    var text = errorText(message) || errorText(loadError);
    $(prefix + "-message").textContent = text;
    $(prefix + "-message").hidden = !text;
    $(prefix + "-done").textContent = done ? t(done.key, done.params) : "";
  }

  function renderNoticeStatusOptions() {
    var select = $("notices-status");
    clear(select);
    addOptions(select, t("all_notice_statuses"), NOTICE_STATUSES, "notice_status");
    select.value = state.noticesStatus;
  }

  function noticeStatusBadge(status) {
    return h("span", { className: "badge notice-status notice-status-" + status }, term("notice_status", status));
  }

  function renderNotices() {
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
  function reviewSide(heading, person, extra) {
    var list = h("dl", null);
    append(list, dlRow(t("field_name"), personName(person)));
    append(list, dlRow(t("field_birth_date"), person.birth_date ? timeEl(person.birth_date, false) : ""));
    append(list, dlRow(t("field_nationality"), displayName("region", person.nationality)));
    extra.forEach(function (row) {
      append(list, dlRow(row[0], row[1]));
    });
    return h("div", { className: "review-side" }, h("h4", null, heading), list);
  }

  function reviewItem(kind, review, decisions, left, right, reason) {
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

  function triageItem(item) {
    var busy = Boolean(state.reviewBusy[item.case_id]);
    var id = "triage-" + item.case_id;
    var titleId = id + "-title";
    var fields = [
      field("field_target_group", select(id + "-group", TARGET_GROUPS, "target_group", true)),
      field("field_decision_reason", input(id + "-reason", "text", { maxlength: "2000", required: "" }))
    ];
    if (item.admission_reason === "trafficking_window_passed") {
      fields.push(
        h("div", { className: "field field-check" }, input(id + "-set-aside", "checkbox"),
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
      var group = value(id + "-group");
      var setAside = $(id + "-set-aside");
      decideTargetGroup(item, {
        target_group: group === "none" ? null : group,
        reason: value(id + "-reason"),
        set_aside_time_limit: Boolean(setAside && setAside.checked)
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

  function renderReviews() {
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

  // --- The case's assessment and who has the case ---------------------------------------------
  //
  // The assessment panel of the case view: its state (GET /api/v1/cases/{id}/assessment) and the
  // staff commands (schedule, start, record the interview, complete; CONTRACT §5 and
  // docs/roles.md), and who has the case (take, assign). A command answers with the case; a
  // refused one with its reason in the user's language (the answer's detail.messages).

  var CEFR_LEVELS = ["A1.1", "A1.2", "A1.3", "A2.1", "A2.2", "B1.1", "B1.2", "B2.1", "B2.2", "C1.1", "C1.2", "C2"];
  var SKILLS = ["speaking", "writing", "listening", "reading"];
  var SKILL_SOURCES = ["interview", "level_test", "integration_training_exam", "yki"];
  var LITERACY = ["literate", "literate_other_alphabet", "partly_literate", "not_literate"];
  var EDUCATION_LEVELS = ["none", "primary", "secondary", "vocational", "bachelor", "master", "doctorate", "other"];
  var PLAN_TYPES = ["individual", "multi_sectoral", "family"];
  var FIGURE_GROUPINGS = ["municipality", "target_group", "residence_basis", "gender", "age_band", "native_language", "lead", "plan_type"];
  var MEASURE_FIGURE_COLUMNS = ["started", "completed", "interrupted", "hours_completed", "median_days_referral_to_start"];
  var FIGURE_COLUMNS = [
    "became_clients", "started", "completed", "median_days_to_start", "average_days_to_start",
    "median_days_to_completion", "average_days_to_completion", "share_started_within_deadline"
  ];
  var PLAN_FIGURE_COLUMNS = [
    "plans_made", "share_made_within_deadline", "measures_started", "measures_completed",
    "civic_orientation_hours", "language_levels_recorded", "share_reached_language_target", "plans_ended",
    "ended_employed", "ended_studying", "ended_moved_away", "ended_time_limit", "ended_declined", "ended_other"
  ];
  // What a coordinator may set a target for from the figures view: counts of the tables above,
  // each kept by the service whose figures they are (docs/figures.md, Targets).
  var TARGET_SOURCES = [
    { url: "/api/v1/figures/assessments/targets", name: "assessments", heading: "figures_title", columnTexts: "figures_col",
      figures: ["became_clients", "started", "completed"] },
    { url: "/api/v1/figures/plans/targets", name: "plans", heading: "plan_figures_title", columnTexts: "plan_figures_col",
      figures: ["plans_made", "measures_started", "measures_completed", "language_levels_recorded", "plans_ended", "ended_employed", "ended_studying"] }
  ];
  var assessmentRequest = 0;

  function loadMe() {
    return api("/dashboard/me").then(
      function (me) {
        state.me = me;
        // a region's working group sees the figures only (docs/roles.md)
        var roles = me.roles || [];
        document.body.classList.toggle("figures-only", roles.length > 0 && roles.every(function (role) { return role === "region"; }));
        renderDetail();
        renderTargetForm();
      },
      function () {
        state.me = null;
      }
    );
  }

  function hasRole(role) {
    return Boolean(state.me && (state.me.roles || []).indexOf(role) >= 0);
  }

  function loadAssessment(caseId) {
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
  function caseCommand(path, method, body, doneKey, panel) {
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

  function value(id) {
    var el = $(id);
    return el ? el.value.trim() : "";
  }

  /** A labelled form field; `control` is an input, select or textarea element with an id. */
  function field(labelKey, control, extraClass) {
    return h("div", { className: "field" + (extraClass ? " " + extraClass : "") }, h("label", { for: control.id }, t(labelKey)), control);
  }

  function input(id, type, attrs) {
    var el = h("input", { id: id, name: id, type: type || "text", autocomplete: "off" });
    Object.keys(attrs || {}).forEach(function (name) {
      el.setAttribute(name, attrs[name]);
    });
    return el;
  }

  function select(id, options, prefix, withEmpty) {
    var el = h("select", { id: id, name: id });
    addOptions(el, withEmpty ? t("choose") : null, options, prefix);
    return el;
  }

  function commandForm(id, headingKey, fields, submitKey, onsubmit) {
    var form = h(
      "form",
      { id: id, className: "command-form", "aria-labelledby": id + "-title" },
      h("h4", { id: id + "-title" }, t(headingKey)),
      fields,
      h("div", { className: "field field-buttons" }, h("button", { type: "submit", disabled: Boolean(state.assessmentBusy) }, t(submitKey)))
    );
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      onsubmit();
    });
    return form;
  }

  /** What the user typed survives a re-render (a live update re-draws the case view). */
  function keepInputs(container) {
    var kept = state.keptInputs || {};
    Array.prototype.forEach.call(container.querySelectorAll("input, select, textarea"), function (el) {
      kept[el.id] = el.type === "checkbox" ? el.checked : el.value;
    });
    state.keptInputs = kept;
  }

  function restoreInputs(container) {
    var kept = state.keptInputs || {};
    Array.prototype.forEach.call(container.querySelectorAll("input, select, textarea"), function (el) {
      if (Object.prototype.hasOwnProperty.call(kept, el.id)) {
        if (el.type === "checkbox") {
          el.checked = kept[el.id];
        } else {
          el.value = kept[el.id];
        }
      }
    });
  }

  function assigneeSection(c) {
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
          field("field_assignee_sub", input("assign-sub", "text", { maxlength: "200", required: "" })),
          field("field_assignee_name", input("assign-name", "text", { maxlength: "200", required: "" }))
        ], "assign_submit", function () {
          caseCommand("/assignee", "PUT", { sub: value("assign-sub"), name: value("assign-name") }, "assign_done");
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

  function scheduleText(schedule) {
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

  function partText(name, part) {
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
  function commandPanel(name, heading) {
    var section = h("section", { id: name + "-panel", className: "subpanel", "aria-labelledby": name + "-title" });
    section.appendChild(h("h3", { id: name + "-title" }, heading));
    var mine = (state.messagePanel === "plan") === (name === "plan");
    var message = mine ? errorText(state.assessmentMessage) : "";
    section.appendChild(h("div", { id: name + "-message", className: "field-error", role: "alert", hidden: !message }, message));
    section.appendChild(h("p", { id: name + "-done", className: "visually-hidden", role: "status" }, mine && state.assessmentDone ? t(state.assessmentDone.key) : ""));
    return section;
  }

  /** Whether the shown case's assessment or plan is still loading; the section then says so. */
  function stillLoading(c, loaded, section) {
    if (loaded && loaded.caseId === c.case_id) {
      return false;
    }
    section.appendChild(h("p", { className: "muted" }, t("loading_detail")));
    return true;
  }

  function assessmentSection(c) {
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
      section.appendChild(
        commandForm("schedule-form", "schedule_heading", [
          field("field_on", input("schedule-on", "date", { required: "" })),
          field("field_at", input("schedule-at", "time")),
          field("field_place", input("schedule-place", "text", { maxlength: "200" })),
          h("div", { className: "field field-check" }, input("schedule-remote", "checkbox"), h("label", { for: "schedule-remote" }, t("field_remote"))),
          field("field_interview_language", input("schedule-language", "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
          field("field_interpreter_language", input("schedule-interpreter", "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" }))
        ], "schedule_submit", function () {
          var body = { on: value("schedule-on"), remote: $("schedule-remote").checked };
          if (value("schedule-at")) body.at = value("schedule-at");
          if (value("schedule-place")) body.place = value("schedule-place");
          if (value("schedule-language")) body.interview_language = value("schedule-language");
          if (value("schedule-interpreter")) body.interpreter_language = value("schedule-interpreter");
          caseCommand("/assessment/schedule", "POST", body, "schedule_done");
        })
      );
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

  function recordForm(parts) {
    return commandForm("record-form", "record_heading", [
      h("fieldset", null, h("legend", null, t("language_skill_legend")),
        field("field_language", input("skill-language", "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
        field("field_skill", select("skill-skill", SKILLS, "skill")),
        field("field_level", select("skill-level", CEFR_LEVELS, null)),
        field("field_skill_source", select("skill-source", SKILL_SOURCES, "skill_source")),
        field("field_assessed_on", input("skill-on", "date"))
      ),
      field("field_literacy", select("record-literacy", LITERACY, "literacy", true)),
      h("fieldset", null, h("legend", null, t("education_legend")),
        field("field_education_level", select("education-level", EDUCATION_LEVELS, "education", true)),
        field("field_education_field", input("education-field", "text", { maxlength: "200" }))
      ),
      field("field_occupation", input("work-occupation", "text", { maxlength: "200" })),
      field("field_goals", h("textarea", { id: "record-goals", name: "record-goals", rows: "2", maxlength: "4000" })),
      field("field_life_situation", h("textarea", { id: "record-life", name: "record-life", rows: "2", maxlength: "4000" })),
      field("field_service_needs", input("record-needs", "text", { maxlength: "500", "aria-describedby": "record-needs-help" })),
      h("span", { id: "record-needs-help", className: "cell-sub" }, t("service_needs_help"))
    ], "record_submit", function () {
      var body = {};
      if (value("skill-language")) {
        // The part is replaced as a whole: the new skill is added to those recorded.
        body.language_skills = (parts.language_skills || []).concat([{
          language: value("skill-language").toLowerCase(), skill: value("skill-skill"), level: value("skill-level"),
          source: value("skill-source"), assessed_on: value("skill-on") || finnishToday()
        }]);
      }
      if (value("record-literacy")) body.literacy = value("record-literacy");
      if (value("education-level")) {
        body.education = (parts.education || []).concat([{ level: value("education-level"), field: value("education-field") || null }]);
      }
      if (value("work-occupation")) body.work_history = (parts.work_history || []).concat([{ occupation: value("work-occupation") }]);
      if (value("record-goals")) body.goals = value("record-goals");
      if (value("record-life")) body.life_situation = value("record-life");
      if (value("record-needs")) {
        body.service_needs = value("record-needs").split(",").map(function (code) { return code.trim(); }).filter(Boolean);
      }
      caseCommand("/assessment/interview", "POST", body, "record_done");
    });
  }

  function completeForm() {
    var needed = select("complete-plan-needed", ["yes", "no"], null);
    Array.prototype.forEach.call(needed.options, function (option) {
      option.textContent = t(option.value === "yes" ? "plan_needed_yes" : "plan_needed_no");
    });
    return commandForm("complete-form", "complete_heading", [
      field("field_plan_needed", needed),
      field("field_plan_type", select("complete-plan-type", PLAN_TYPES, "plan_type", true)),
      field("field_wellbeing_participant", input("complete-wellbeing", "text", { maxlength: "200" })),
      field("field_no_plan_reason", input("complete-reason", "text", { maxlength: "500" }))
    ], "complete_submit", function () {
      var body = { plan_needed: value("complete-plan-needed") === "yes" };
      if (value("complete-plan-type")) body.plan_type = value("complete-plan-type");
      if (value("complete-wellbeing")) body.wellbeing_county_participant = value("complete-wellbeing");
      if (value("complete-reason")) body.reason = value("complete-reason");
      caseCommand("/assessment/complete", "POST", body, "complete_done");
    });
  }


  // --- The case's integration plan ---------------------------------------------------------------
  //
  // The plan panel of the case view: the plan as it stands (GET /api/v1/cases/{id}/plan), the
  // family's linked plans (…/plan/family), and the staff commands: draw up the plan, add and
  // change measures, record a review, extend it (planning service) and close the case with a
  // reason (CONTRACT §5). Each answers with the case; a refusal with its reason in the user's
  // language.

  var MEASURE_KINDS = [
    "language_studies", "integration_training", "literacy_training", "civic_orientation", "self_motivated_studies",
    "work_try_out", "job_search_support", "early_childhood_education", "school", "health_and_social_services",
    "mentoring", "work_pair", "hygiene_passport", "vocational_preparatory_studies", "working_life_rules_training", "other"
  ];
  var MEASURE_STATUSES = ["planned", "referred", "started", "completed", "interrupted", "cancelled"];
  var CLOSURE_REASONS = ["employed", "studying", "moved_away", "time_limit", "declined", "other"];
  var planRequest = 0;

  function loadPlan(caseId) {
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

  function planCommand(path, method, body, doneKey) {
    return caseCommand(path, method, body, doneKey, "plan");
  }

  function measureText(m) {
    var parts = [];
    if (m.provider) parts.push(m.provider);
    if (m.language) parts.push(displayName("language", m.language));
    if (m.starts_on || m.ends_on) parts.push(formatDate(m.starts_on) + " – " + formatDate(m.ends_on));
    if (m.hours !== null && m.hours !== undefined) parts.push(t("plan_hours", { n: m.hours }));
    if (m.outcome && m.outcome.cefr) parts.push(t("plan_outcome_level", { level: m.outcome.cefr, language: m.outcome.language || "" }));
    return parts.join(" · ");
  }

  function measureItem(m, open) {
    var id = m.measure_id;
    var li = h("li", { dataset: { measureId: id, kind: m.kind, status: m.status } },
      h("strong", null, term("measure_kind", m.kind)), " – ",
      h("span", { className: "measure-status" }, term("measure_status", m.status)),
      m.description ? h("span", { className: "cell-sub" }, m.description) : null,
      h("span", { className: "cell-sub" }, measureText(m))
    );
    if (open) {
      var statusSelect = select("measure-status-" + id, MEASURE_STATUSES, "measure_status");
      statusSelect.value = m.status;
      li.appendChild(commandForm("measure-form-" + id, "measure_change_heading", [
        field("field_measure_status", statusSelect),
        field("field_outcome_language", input("measure-outcome-language-" + id, "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
        field("field_outcome_level", select("measure-outcome-level-" + id, CEFR_LEVELS, null, true))
      ], "measure_change_submit", function () {
        var body = { status: value("measure-status-" + id) };
        if (value("measure-outcome-level-" + id)) {
          body.outcome = Object.assign({}, m.outcome || {}, { cefr: value("measure-outcome-level-" + id) });
          if (value("measure-outcome-language-" + id)) body.outcome.language = value("measure-outcome-language-" + id).toLowerCase();
        }
        planCommand("/plan/measures/" + encodeURIComponent(id), "PATCH", body, "measure_changed");
      }));
    }
    return li;
  }

  function makePlanForm(p) {
    var type = select("plan-type", PLAN_TYPES, "plan_type");
    if (p && p.type) type.value = p.type;
    return commandForm("plan-form", "plan_make_heading", [
      field("field_plan_type", type),
      field("field_plan_on", input("plan-on", "date")),
      field("field_plan_ends_on", input("plan-ends-on", "date")),
      field("field_wellbeing_participant", input("plan-wellbeing", "text", { maxlength: "200" })),
      field("field_family_members", input("plan-family", "text", { maxlength: "2000", "aria-describedby": "plan-family-help" })),
      h("span", { id: "plan-family-help", className: "cell-sub" }, t("family_members_help")),
      field("field_goals", h("textarea", { id: "plan-goals", name: "plan-goals", rows: "2", maxlength: "4000" }))
    ], "plan_make_submit", function () {
      var body = { type: value("plan-type") };
      if (value("plan-on")) body.plan_on = value("plan-on");
      if (value("plan-ends-on")) body.ends_on = value("plan-ends-on");
      if (value("plan-wellbeing")) body.wellbeing_county_participant = value("plan-wellbeing");
      if (value("plan-family")) {
        body.family_members = value("plan-family").split(/[\s,]+/).filter(Boolean);
      }
      if (value("plan-goals")) body.goals = value("plan-goals");
      planCommand("/plan", "POST", body, "plan_made");
    });
  }

  function addMeasureForm() {
    return commandForm("measure-form", "measure_add_heading", [
      field("field_measure_kind", select("measure-kind", MEASURE_KINDS, "measure_kind")),
      field("field_provider", input("measure-provider", "text", { maxlength: "200" })),
      field("field_service_code", input("measure-service-code", "text", { maxlength: "100" })),
      field("field_language", input("measure-language", "text", { maxlength: "3", size: "4", pattern: "[a-z]{2,3}" })),
      field("field_measure_starts_on", input("measure-starts-on", "date")),
      field("field_measure_ends_on", input("measure-ends-on", "date")),
      field("field_hours", input("measure-hours", "number", { min: "0", max: "10000", step: "any" })),
      field("field_measure_status", select("measure-status", MEASURE_STATUSES, "measure_status"))
    ], "measure_add_submit", function () {
      var body = { kind: value("measure-kind"), status: value("measure-status") };
      if (value("measure-provider")) body.provider = value("measure-provider");
      if (value("measure-service-code")) body.service_code = value("measure-service-code");
      if (value("measure-language")) body.language = value("measure-language").toLowerCase();
      if (value("measure-starts-on")) body.starts_on = value("measure-starts-on");
      if (value("measure-ends-on")) body.ends_on = value("measure-ends-on");
      if (value("measure-hours")) body.hours = Number(value("measure-hours"));
      planCommand("/plan/measures", "POST", body, "measure_added");
    });
  }

  function reviewForm() {
    return commandForm("review-form", "plan_review_heading", [
      field("field_reviewed_on", input("review-on", "date")),
      field("field_next_review_on", input("review-next", "date")),
      field("field_review_notes", h("textarea", { id: "review-notes", name: "review-notes", rows: "2", maxlength: "4000" }))
    ], "plan_review_submit", function () {
      var body = {};
      if (value("review-on")) body.reviewed_on = value("review-on");
      if (value("review-next")) body.next_review_on = value("review-next");
      if (value("review-notes")) body.notes = value("review-notes");
      planCommand("/plan/reviews", "POST", body, "plan_reviewed");
    });
  }

  function extendForm() {
    return commandForm("extend-form", "plan_extend_heading", [
      field("field_plan_ends_on", input("extend-ends-on", "date", { required: "" })),
      field("field_extension_reason", input("extend-reason", "text", { maxlength: "2000", required: "" }))
    ], "plan_extend_submit", function () {
      planCommand("/plan/extensions", "POST", { ends_on: value("extend-ends-on"), reason: value("extend-reason") }, "plan_extended");
    });
  }

  function closureForm() {
    return commandForm("closure-form", "closure_heading", [
      field("field_closure_reason", select("closure-reason", CLOSURE_REASONS, "closure_reason", true)),
      field("field_closure_notes", input("closure-notes", "text", { maxlength: "2000" }))
    ], "closure_submit", function () {
      var body = { reason: value("closure-reason") };
      if (value("closure-notes")) body.notes = value("closure-notes");
      planCommand("/closure", "POST", body, "case_closed_done");
    });
  }

  function planSection(c) {
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
  function renderCaseWork(body, c) {
    var work = h("div", { id: "case-work" }, assigneeSection(c), assessmentSection(c), planSection(c));
    body.appendChild(work);
    restoreInputs(work);
  }

  // --- Figures ----------------------------------------------------------------------------------

  function figuresParams() {
    var params = { from: $("figures-from").value, to: $("figures-to").value, by: $("figures-by").value };
    var across = $("figures-across").value;
    if (across && across !== params.by) params.across = across;
    return params;
  }

  // The view's tables: where each one's figures come from, the id prefix of its elements, its
  // heading, its columns (and the prefix of their texts), and where its figures are kept.
  var FIGURE_TABLES = [
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

  function tableParams(source) {
    return Object.assign(figuresParams(), source.params || {});
  }

  /** The figures view's tables, one after the other: a heading with its CSV link, then the table
   *  (renderFigureTable writes their texts). */
  function buildFigureTables() {
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

  function loadFigureTable(source, params) {
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

  function loadFigures() {
    var params = figuresParams();
    return Promise.all(
      FIGURE_TABLES.map(function (source) {
        return loadFigureTable(source, Object.assign({}, params, source.params || {}));
      }).concat([loadSeries()])
    ).then(renderCharts);
  }

  // The monthly series (last 24 months, with the look ahead) of the assessments and the plans.
  function loadSeries() {
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

  // --- Charts: hand-made SVG (a few bar charts need no library, and nothing is loaded from
  // elsewhere); each has a <title> and its numbers as text, and prints as it is shown.

  var SVG_NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      el.setAttribute(name, String(attrs[name]));
    });
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function number(value) {
    return state.lang === "en" ? String(value) : String(value).replace(".", ",");
  }

  /** A bar chart: `bars` [{label, value (null: hidden), target}] drawn as columns, a hidden one
   *  as an empty outline marked "..", a target as a line across its column. */
  function barChart(id, title, bars) {
    var width = Math.max(320, 40 + bars.length * 34);
    var height = 220;
    var top = 24;
    var base = 160;
    var max = 1;
    bars.forEach(function (bar) {
      max = Math.max(max, bar.value || 0, bar.target || 0);
    });
    var chart = svg("svg", {
      id: id, class: "chart", role: "img", viewBox: "0 0 " + width + " " + height, width: width, height: height,
      "aria-labelledby": id + "-title"
    });
    chart.appendChild(svg("title", { id: id + "-title" }, title));
    chart.appendChild(svg("text", { x: 4, y: 14, class: "chart-title" }, title));
    chart.appendChild(svg("line", { x1: 30, y1: base, x2: width - 4, y2: base, class: "chart-axis" }));
    bars.forEach(function (bar, index) {
      var x = 36 + index * 34;
      var g = svg("g", { class: "bar", "data-label": bar.label, "data-value": bar.value === null ? ".." : bar.value });
      if (bar.value === null) {
        g.appendChild(svg("rect", { x: x, y: base - 20, width: 24, height: 20, class: "bar-hidden" }));
        g.appendChild(svg("text", { x: x + 12, y: base - 24, class: "bar-value" }, ".."));
      } else {
        var barHeight = Math.round((bar.value / max) * (base - top));
        g.appendChild(svg("rect", { x: x, y: base - barHeight, width: 24, height: barHeight, class: "bar-shown" }));
        g.appendChild(svg("text", { x: x + 12, y: base - barHeight - 4, class: "bar-value" }, number(bar.value)));
      }
      if (bar.target !== undefined && bar.target !== null) {
        var y = base - Math.round((bar.target / max) * (base - top));
        g.appendChild(svg("line", { x1: x - 4, y1: y, x2: x + 28, y2: y, class: "bar-target" }));
      }
      g.appendChild(svg("text", { x: x + 12, y: base + 14, class: "bar-label", transform: "rotate(45 " + (x + 12) + " " + (base + 14) + ")" }, bar.label));
      g.appendChild(svg("title", {}, bar.label + ": " + (bar.value === null ? ".." : number(bar.value)) +
        (bar.target !== undefined && bar.target !== null ? " / " + t("figures_target") + " " + number(bar.target) : "")));
      chart.appendChild(g);
    });
    return chart;
  }

  function seriesBars(series, column) {
    return series.across_groups.map(function (row) {
      return { label: row.across, value: row.hidden.indexOf(column) >= 0 ? null : row[column] };
    });
  }

  function aheadBars(series, what) {
    return series.ahead.filter(function (row) {
      return row.municipality_code === "all" && row.month !== "all" && (!what || row.what === what);
    }).map(function (row) {
      return { label: term("figures_ahead", row.what) + " " + row.month, value: row.hidden ? null : row.count };
    });
  }

  function renderCharts() {
    var box = $("figure-charts");
    if (!box) return;
    clear(box);
    if (state.series) {
      box.appendChild(barChart("chart-series-clients", t("chart_series_clients"), seriesBars(state.series.assessments, "became_clients")));
      box.appendChild(barChart("chart-series-plans", t("chart_series_plans"), seriesBars(state.series.plans, "plans_made")));
      box.appendChild(barChart("chart-ahead", t("chart_ahead"), aheadBars(state.series.assessments).concat(aheadBars(state.series.plans))));
    }
    var targets = [];
    FIGURE_TABLES.forEach(function (source) {
      var figures = state[source.data];
      if (!figures || !figures.targets) return;
      figures.targets.forEach(function (target) {
        targets.push({
          label: target.municipality_code + " " + term(source.columnTexts, target.figure),
          value: target.achieved, target: target.target
        });
      });
    });
    if (targets.length) {
      box.appendChild(barChart("chart-targets", t("chart_targets"), targets));
    }
    var figures = state.figures;
    if (figures && figures.across && figures.cells.length) {
      var cells = figures.cells.map(function (row) {
        return {
          label: groupLabel(figures.by, row.group) + " / " + groupLabel(figures.across, row.across),
          value: row.hidden.indexOf("became_clients") >= 0 ? null : row.became_clients
        };
      });
      box.appendChild(barChart("chart-cross", t("chart_cross"), cells));
    }
  }

  // Deadlines and periods are Finnish calendar days, wherever the browser's clock is set.
  function finnishToday() {
    return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Helsinki" }).format(new Date());
  }

  function renderFigureOptions() {
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
  function renderTargetForm() {
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

  function setTarget() {
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

  function groupLabel(by, group) {
    if (group === "all") return t("figures_total");
    if (group === "unknown") return t("figures_unknown");
    if (by === "municipality") return group;
    if (by === "residence_basis") return term("basis", group);
    if (by === "gender") return term("gender", group);
    if (by === "plan_type") return term("plan_type", group);
    if (by === "target_group") return term("target_group", group);
    if (by === "lead") return term("lead", group);
    if (by === "age_band") return group; // 0-17, 18-29, 30-64, 65+ read the same in every language
    if (by === "measure_kind") return term("measure_kind", group);
    if (by === "month") return group;
    if (by === "provider") return group;
    return displayName("language", group);
  }

  function figureCell(column, number, hidden) {
    if (hidden && hidden.indexOf(column) >= 0) return ".."; // under five people, or would give such a one away
    if (number === null || number === undefined) return "–";
    if (column.indexOf("share_") === 0) return Math.round(number * 1000) / 10 + " %";
    return state.lang === "en" ? String(number) : String(number).replace(".", ",");
  }

  // One table of figures: a row per group and the total, a column per figure; its CSV link
  // follows the form's period and grouping.
  function renderFigureTable(source) {
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
  function renderTargetTable(source) {
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

  function renderFigures() {
    FIGURE_TABLES.forEach(renderFigureTable);
    renderCharts();
  }

  // --- Actions ----------------------------------------------------------------------------------

  function openDetail(caseId, moveFocus) {
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

  function closeDetail() {
    var previous = state.selectedId;
    state.selectedId = null;
    state.detail = null;
    detailRequest++;
    renderDetail();
    markSelectedRow();
    if (previous) {
      var row = document.querySelector('#cases tr[data-case-id="' + cssEscape(previous) + '"] button');
      if (row) {
        row.focus();
      }
    }
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : String(value).replace(/["\\]/g, "\\$&");
  }

  function markSelectedRow() {
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

  function normaliseMunicipality(value) {
    var v = value.trim();
    return /^\d{1,2}$/.test(v) ? ("00" + v).slice(-3) : v;
  }

  function readForm() {
    return {
      stage: $("filter-stage").value,
      municipality: normaliseMunicipality($("filter-municipality").value),
      q: $("filter-q").value.trim(),
      overdue: $("filter-overdue").checked,
      due: $("filter-due").value
    };
  }

  function writeForm() {
    $("filter-stage").value = state.filters.stage;
    $("filter-municipality").value = state.filters.municipality;
    $("filter-q").value = state.filters.q;
    $("filter-overdue").checked = state.filters.overdue;
    $("filter-due").value = state.filters.due;
  }

  function setFilters(changes) {
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

  function setLang(lang) {
    if (LANGS.indexOf(lang) < 0) {
      return;
    }
    wantedLang = lang;
    loadTexts(lang).then(function (texts) {
      if (wantedLang !== lang) {
        return; // another language was chosen meanwhile
      }
      if (!texts) {
        state.error = { key: "network_error" };
        renderError();
        return;
      }
      state.lang = lang;
      try {
        window.localStorage.setItem(STORAGE_KEY, lang);
      } catch (e) {
        /* storage unavailable: the choice lasts for this page only */
      }
      renderAll();
    });
  }

  function initialLang() {
    try {
      var stored = window.localStorage.getItem(STORAGE_KEY);
      if (LANGS.indexOf(stored) >= 0) {
        return stored;
      }
    } catch (e) {
      /* ignore */
    }
    var preferred = [].concat(navigator.languages || [], navigator.language || []);
    for (var i = 0; i < preferred.length; i++) {
      var code = String(preferred[i] || "").toLowerCase().slice(0, 2);
      if (LANGS.indexOf(code) >= 0) {
        return code;
      }
    }
    return DEFAULT_LANG;
  }

  /** A list's pager: the previous page, where we are, the next page (renderPager writes the texts). */
  function buildPager(list) {
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

  function bind() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (button) {
      button.addEventListener("click", function () {
        setLang(button.getAttribute("data-lang"));
      });
    });

    $("filters").addEventListener("submit", function (event) {
      event.preventDefault();
      setFilters({});
    });
    $("filter-stage").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-overdue").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-due").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-municipality").addEventListener("change", function () {
      setFilters({});
    });
    $("filter-q").addEventListener(
      "input",
      debounce(function () {
        setFilters({});
      }, 350)
    );
    $("filter-reset").addEventListener("click", function () {
      $("filter-stage").value = "";
      $("filter-municipality").value = "";
      $("filter-q").value = "";
      $("filter-overdue").checked = false;
      $("filter-due").value = "";
      setFilters({});
    });


    $("notices-status").addEventListener("change", function () {
      state.noticesStatus = $("notices-status").value;
      state.noticesPage = 1;
      loadNotices();
    });
    $("notices-refresh").addEventListener("click", function () {
      state.noticesMessage = null;
      state.noticesDone = null;
      loadNotices();
    });
    $("reviews-refresh").addEventListener("click", function () {
      state.reviewsMessage = null;
      state.reviewsDone = null;
      loadReviews();
    });

    $("detail-close").addEventListener("click", closeDetail);
    $("figures-form").addEventListener("submit", function (event) {
      event.preventDefault();
      renderTargetForm(); // the target is for the period shown
      loadFigures();
    });
    $("targets-form").addEventListener("submit", function (event) {
      event.preventDefault();
      setTarget();
    });
    $("figures-print").addEventListener("click", function () {
      document.body.classList.add("printing-figures");
      window.print();
      document.body.classList.remove("printing-figures");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && state.selectedId && $("case-detail").contains(document.activeElement)) {
        closeDetail();
      }
    });

    $("signout-form").addEventListener("submit", function () {
      stopStream(); // the form posts normally; the server clears the cookie and redirects to /
    });
    $("signin-form").addEventListener("submit", function (event) {
      if (!$("token").value.trim()) {
        event.preventDefault();
        $("token").focus();
      }
    });

    window.addEventListener("pagehide", stopStream);
  }

  function start() {
    var lang = initialLang();
    loadTexts(lang).then(function () {
      state.lang = lang;
      begin();
      LANGS.forEach(loadTexts); // the other languages, so that a switch is immediate
    });
  }

  function begin() {
    var params = new URLSearchParams(window.location.search);
    if (params.get("error") === "token") {
      state.signinError = { key: "token_invalid" };
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", window.location.pathname);
      }
    }
    buildPager(PAGED_LISTS.cases);
    buildPager(PAGED_LISTS.notices);
    buildFigureTables();
    bind();
    renderAll();
    loadCases();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
