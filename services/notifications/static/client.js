/**
 * The client's own page (docs/client-page.md). The link carries its token in the fragment (never
 * sent to a server log); the client gives the code that came in another message; only then does the
 * page ask for and show anything about them. Texts: /client/texts/<lang>.json, through the shared
 * i18n loader; Arabic and Persian are laid out right to left. Data is only ever inserted as text.
 * The calls go through the shared API client (the session as a bearer token) and the forms are
 * read by the shared form helper (lib/).
 */
import { request } from "/static/lib/api.js";
import { formValues } from "/static/lib/forms.js";
import { createI18n } from "/static/lib/i18n.js";
import { renderFeedback, renderMeasures } from "/static/client_feedback.js";

const RTL = new Set(["ar", "fa"]);
const OFFERED = ["fi", "sv", "en"];
const SESSION_KEY = "kotopolku.client.session";
const i18n = createI18n("/client/texts/");
const $ = (id) => document.getElementById(id);
const LEVELS = ["beginner", "basic", "good", "fluent", "native"];
const LANGUAGE_ROWS = 3;

let page = null; // what /client/api/page answered, once opened

function show(id) {
  for (const view of ["code-view", "not-valid", "page-view"]) $(view).hidden = view !== id;
}

function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return d + "." + m + "." + y;
}

function render() {
  const lang = i18n.lang;
  document.documentElement.lang = lang;
  document.documentElement.dir = RTL.has(lang) ? "rtl" : "ltr";
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = i18n.t(element.dataset.text);
  document.title = i18n.t("title");
  const languages = page ? [...new Set([page.language, ...OFFERED])] : OFFERED;
  $("languages").replaceChildren(
    ...languages.map((code) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.lang = code;
      button.lang = code;
      button.setAttribute("aria-pressed", String(code === lang));
      button.textContent = code.toUpperCase();
      button.addEventListener("click", () => switchTo(code));
      return button;
    }),
  );
  if (!page) return;
  $("hello").textContent = i18n.t("hello", { name: page.given_names });
  $("stage").textContent = i18n.t("stage." + page.stage);
  $("stage").dataset.stage = page.stage;
  const next = $("next-step");
  next.dataset.kind = page.next_step ? page.next_step.kind : "";
  next.textContent = page.next_step ? i18n.t("next." + page.next_step.kind, { date: formatDate(page.next_step.due_on) }) : i18n.t("no_next_step");
  $("contact").textContent = page.contact_name
    ? i18n.t("contact_person", { name: page.contact_name, municipality: page.municipality })
    : i18n.t("contact_municipality", { municipality: page.municipality });
  renderMeasures($("measure-list"), page.measures || [], i18n);
  renderFeedback($("feedback"), $("feedback-questions"), page.feedback || [], i18n, sendFeedback);
  renderWelcome(lang);
  $("self-report").hidden = !page.self_report_open;
  renderLanguageRows();
}

/** The language rows of the self-report: what is typed stays when the page's language changes. */
function renderLanguageRows() {
  const fieldset = $("sr-languages");
  if (!fieldset.children.length) {
    for (let index = 0; index < LANGUAGE_ROWS; index++) {
      const row = document.createElement("div");
      row.className = "sr-language";
      const name = document.createElement("input");
      name.id = "sr-language-" + index;
      name.name = "language";
      name.maxLength = 60;
      const level = document.createElement("select");
      level.id = "sr-level-" + index;
      level.name = "level";
      for (const value of LEVELS) level.append(new Option("", value));
      const nameLabel = document.createElement("label");
      nameLabel.htmlFor = name.id;
      const levelLabel = document.createElement("label");
      levelLabel.htmlFor = level.id;
      row.append(nameLabel, name, levelLabel, level);
      fieldset.append(row);
    }
  }
  for (const row of fieldset.children) {
    const [nameLabel, , levelLabel, level] = row.children;
    nameLabel.textContent = i18n.t("sr_language");
    levelLabel.textContent = i18n.t("sr_level");
    for (const option of level.options) option.textContent = i18n.t("level." + option.value);
  }
}

async function sendSelfReport(event) {
  event.preventDefault();
  const form = formValues(event.target);
  const names = [].concat(form.language || []);
  const levels = [].concat(form.level || []);
  const languages = [];
  names.forEach((name, index) => {
    if (name) languages.push({ language: name, level: levels[index] });
  });
  const body = { languages: languages, education: form.education, work_history: form.work_history, goals: form.goals, help_wanted: form.help_wanted };
  try {
    await request("/client/api/self-report", { method: "PUT", body: body, token: sessionStorage.getItem(SESSION_KEY) });
    $("sr-sent").hidden = false;
  } catch (failure) {
    $("sr-sent").hidden = true;
    if (failure.status === 404) show("not-valid");
  }
}

/** One feedback answer; true when it was kept. */
async function sendFeedback(id, answer) {
  const response = await fetch("/client/api/feedback/" + encodeURIComponent(id), {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: "Bearer " + sessionStorage.getItem(SESSION_KEY) },
    body: JSON.stringify(answer),
  });
  if (!response.ok) {
    // The link's end (revoked, expired) closes the page; a question answered elsewhere just goes.
    const refusal = ((await response.json().catch(() => ({}))).detail || {}).code || "";
    if (refusal === "client_link_not_valid") show("not-valid");
    return false;
  }
  page.feedback = page.feedback.filter((question) => question.id !== id);
  return true;
}

/** The municipality's welcome package in the page's language (else English), by section. */
function renderWelcome(lang) {
  $("welcome-title").textContent = i18n.t("welcome", { municipality: page.municipality });
  const entries = page.welcome[lang] || page.welcome.en || [];
  const sections = [];
  for (const entry of entries) {
    let section = sections.find((found) => found.dataset.section === entry.section);
    if (!section) {
      section = document.createElement("details");
      section.dataset.section = entry.section;
      const summary = document.createElement("summary");
      summary.textContent = i18n.t("section." + entry.section);
      section.append(summary);
      sections.push(section);
    }
    const item = document.createElement("article");
    item.dataset.own = String(entry.own);
    const title = document.createElement("h3");
    title.textContent = entry.title;
    const body = document.createElement("p");
    body.textContent = entry.body;
    item.append(title, body);
    if (entry.url) {
      const link = document.createElement("a");
      link.href = entry.url;
      link.rel = "noopener noreferrer";
      link.textContent = i18n.t("read_more");
      item.append(link);
    }
    section.append(item);
  }
  $("welcome-sections").replaceChildren(...sections);
}

async function switchTo(lang) {
  await i18n.load(lang);
  render();
}

async function openPage(session) {
  try {
    page = await request("/client/api/page", { token: session });
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
    show("not-valid");
    return;
  }
  await i18n.load(page.language);
  show("page-view");
  render();
}

async function submitCode(event) {
  event.preventDefault();
  const token = location.hash.slice(1);
  let opened;
  try {
    opened = await request("/client/api/session", { method: "POST", body: { token: token, code: formValues(event.target).code } });
  } catch (failure) {
    if (failure.status === 403 || failure.status === 422) {
      $("code-error").hidden = false;
      $("code").select();
    } else {
      show("not-valid");
    }
    return;
  }
  sessionStorage.setItem(SESSION_KEY, opened.session);
  history.replaceState(null, "", location.pathname); // the token leaves the address bar
  await openPage(opened.session);
}

async function start() {
  const preferred = (navigator.language || "fi").slice(0, 2);
  await i18n.load(OFFERED.includes(preferred) ? preferred : "fi");
  render();
  $("code-view").addEventListener("submit", submitCode);
  $("self-report-form").addEventListener("submit", sendSelfReport);
  const session = sessionStorage.getItem(SESSION_KEY);
  if (session && !location.hash) return openPage(session);
  if (location.hash.length < 2) return show("not-valid");
  show("code-view");
  $("code").focus();
}

start();
