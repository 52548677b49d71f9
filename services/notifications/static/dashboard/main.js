/**
 * Kotopolku staff dashboard: cases, deadlines and live updates, in Finnish, Swedish and English.
 *
 * ES modules, no build step and no dependencies (<script type="module" src="/static/dashboard/main.js">).
 * Talks to the notifications service's JSON API with the httponly session cookie (set by POST
 * /session; ../lib/api.js), and follows GET /api/v1/cases/stream (SSE). Every text a person reads
 * comes from the translation catalogue (shared/locale/, the `dashboard.*` messages, fetched from
 * /dashboard/texts/<lang>.json by ../lib/i18n.js); data from the API is only ever inserted as
 * text (never as HTML). The sections: state.js (the one state object), ui.js (helpers),
 * loading.js, live.js, views.js, actions.js, panels.js, client-messages.js, assessment.js,
 * forms.js, plan.js, figures.js, charts.js, and the county's view county.js (added as a section, below);
 * the page's webhooks section is ../webhooks.js.
 *
 * Adding a section: put its markup in dashboard.html (hidden until it has something to show),
 * write static/dashboard/<name>.js that imports what it needs (addSection from ./sections.js,
 * state and helpers from ./state.js and ./ui.js, forms from ../lib/forms.js) and calls, at its
 * top level,
 *
 *     addSection({ name: "<name>", bind() {...}, enter() {...}, render() {...}, leave() {...} });
 *
 * (./sections.js; every hook is optional: bind once when the page starts, enter when the user is
 * signed in, render whenever the dashboard redraws while signed in, e.g. after a language switch,
 * and leave on signing out), then add `import "./<name>.js";` below. Its texts are
 * `dashboard.<key>` messages in the catalogue, read with t("<key>").
 */
import { fillForm } from "../lib/forms.js";
import { sections } from "./sections.js";
import { i18n } from "./texts.js";
import { buildPager, closeDetail, setFilters } from "./actions.js";
import { buildFigureTables, loadFigures, renderTargetForm, setTarget } from "./figures.js";
import { stopStream } from "./live.js";
import { PAGED_LISTS, loadCases, loadNotices, loadReviews } from "./loading.js";
import { DEFAULT_LANG, LANGS, STORAGE_KEY, state } from "./state.js";
import { $, debounce } from "./ui.js";
import { renderAll, renderError } from "./views.js";
// Added sections, one import each (they register themselves with addSection):
import "./county.js";

var wantedLang = null; // the language chosen last, while its texts load

export function setLang(lang) {
  if (LANGS.indexOf(lang) < 0) {
    return;
  }
  wantedLang = lang;
  i18n.fetchTexts(lang).catch(function () { return null; }).then(function (texts) {
    if (wantedLang !== lang) {
      return; // another language was chosen meanwhile
    }
    if (!texts) {
      state.error = { key: "network_error" };
      renderError();
      return;
    }
    state.lang = i18n.use(lang);
    try {
      window.localStorage.setItem(STORAGE_KEY, lang);
    } catch (e) {
      /* storage unavailable: the choice lasts for this page only */
    }
    renderAll();
  });
}

export function initialLang() {
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

export function bind() {
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
    fillForm($("filters"), { stage: "", municipality: "", q: "", overdue: false, due_within_days: "" });
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

export function start() {
  var lang = initialLang();
  i18n.fetchTexts(lang).catch(function () { return null; }).then(function () {
    state.lang = i18n.use(lang);
    begin();
    LANGS.forEach(function (other) {
      i18n.fetchTexts(other).catch(function () {}); // the other languages, so that a switch is immediate
    });
  });
}

export function begin() {
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
  sections.forEach(function (section) {
    if (section.bind) section.bind();
  });
  renderAll();
  loadCases();
}

start(); // a module runs once the page is parsed
