/* The dashboard's constants and its one state object: every section reads and writes `state`
 * (what is shown is drawn from it by the render functions). */

export var LANGS = ["fi", "sv", "en"];
export var DEFAULT_LANG = "fi";
export var STORAGE_KEY = "kotopolku.lang";
export var PAGE_SIZE = 25;
export var STAGES = ["intake", "assessment", "planning", "follow_up", "closed"];
export var REFRESH_DEBOUNCE_MS = 400;
export var REFRESH_MAX_WAIT_MS = 2000;
export var HIGHLIGHT_MS = 6000;
export var NOTICE_STATUSES = ["received", "acknowledged", "arrived", "expired", "withdrawn"];
export var NOTICES_PAGE_SIZE = 25;
export var REVIEWS_PAGE_SIZE = 50;
export var NOTICES_URL = "/api/v1/municipal/recruitment-notices";
export var REVIEW_URLS = { match: "/api/v1/municipal/match-reviews", duplicate: "/api/v1/municipal/duplicate-reviews" };
// The triage queue: clients whose target group staff decide (docs/case-statuses.md `needs_triage`).
export var TRIAGE_URL = "/api/v1/municipal/triage";
export var TARGET_GROUPS = [
  "international_protection", "social_assistance", "child_home_care_allowance", "unaccompanied_minor",
  "trafficking_victim", "other_need", "jobseeker", "none"
];
// --- State ------------------------------------------------------------------------------------

export var state = {
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

// The latest request of each list: an answer to an older one is dropped.
export var requests = { cases: 0, summary: 0, notifications: 0, detail: 0 };
