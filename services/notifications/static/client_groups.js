/**
 * Kotopolku dashboard: the staff decision on the groups the projects reach (docs/client-groups.md).
 *
 * Beside dashboard.js, as a module of its own: under the client's details of the open case
 * (`#detail-client`, whose `#client-groups-now` names the groups recorded today) a caseworker or a
 * coordinator finds a form with the four recorded groups (young people come from the birth date),
 * an unaccompanied minor's guardian or representative and the reason; it sends
 * `PUT /api/v1/cases/{id}/client-groups`. The case view follows the change through the live feed
 * as after any command; a refusal is shown in the user's language. Data is only inserted as text.
 * The case view is drawn afresh at every live change of the case: the form is then built again,
 * open or closed, filled in and with its last answer as the user left it.
 */
import { createI18n } from "/static/lib/i18n.js";

const RECORDED = ["stay_at_home_parents", "disabled", "unaccompanied_minors", "family_migrants"];
const i18n = createI18n("/dashboard/texts/");
const t = (key, params) => i18n.t(key, params); // the catalogue's `dashboard.*`, prefix removed
let mayDecide = false;
// The form as the user left it, for the case it was on: { caseId, open, values: {id: value}, status }.
let kept = { caseId: null, open: false, values: {}, status: null };

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function field(labelKey, control) {
  const row = el("div", { class: "field" });
  row.append(el("label", { for: control.id }, t(labelKey)), control);
  return row;
}

async function send(caseId, body, status) {
  status.textContent = "";
  const response = await fetch(`/api/v1/cases/${encodeURIComponent(caseId)}/client-groups`, {
    method: "PUT", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": i18n.lang || "fi" },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  const detail = answer && answer.detail;
  status.textContent = response.ok
    ? t("client_groups_decided")
    : (detail && detail.message) || (answer && answer.message) || String(response.status);
  status.className = response.ok ? "cell-sub" : "field-error";
}

function form(caseId, now) {
  const box = el("details", { id: "client-groups-decision", class: "subpanel" });
  box.appendChild(el("summary", {}, t("client_groups_decide")));
  const formEl = el("form", { id: "client-groups-form" });
  const groups = el("fieldset", {});
  groups.appendChild(el("legend", {}, t("field_client_groups")));
  for (const group of RECORDED) {
    const check = el("input", { type: "checkbox", id: `client-group-${group}`, value: group });
    check.checked = now.includes(group);
    const row = el("div", { class: "check-row" });
    row.append(check, el("label", { for: check.id }, t(`client_group.${group}`)));
    groups.appendChild(row);
  }
  const role = el("select", { id: "client-groups-guardian-role" });
  for (const value of ["guardian", "representative"]) role.appendChild(el("option", { value }, t(`guardian_role.${value}`)));
  const name = el("input", { id: "client-groups-guardian-name", type: "text", maxlength: "200" });
  const reason = el("textarea", { id: "client-groups-reason", rows: "2", maxlength: "2000", required: "" });
  const status = el("p", { id: "client-groups-status", role: "status" });
  formEl.append(groups, field("field_guardian", role), field("field_name", name), field("field_decision_reason", reason),
    el("button", { type: "submit" }, t("triage_decide")), status);
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = RECORDED.filter((group) => document.getElementById(`client-group-${group}`).checked);
    const body = { client_groups: chosen, reason: reason.value };
    if (name.value.trim()) body.guardian = { role: role.value, name: name.value.trim() };
    send(caseId, body, status).catch((error) => (status.textContent = String(error.message)));
  });
  box.appendChild(formEl);
  keepAsLeft(box, caseId, status);
  return box;
}

function keepAsLeft(box, caseId, status) {
  if (kept.caseId !== caseId) kept = { caseId, open: false, values: {}, status: null };
  const controls = box.querySelectorAll("input, select, textarea");
  for (const control of controls) {
    if (Object.prototype.hasOwnProperty.call(kept.values, control.id)) {
      if (control.type === "checkbox") control.checked = kept.values[control.id];
      else control.value = kept.values[control.id];
    }
    const keep = () => (kept.values[control.id] = control.type === "checkbox" ? control.checked : control.value);
    control.addEventListener("input", keep);
    control.addEventListener("change", keep);
  }
  box.open = kept.open;
  box.addEventListener("toggle", () => (kept.open = box.open));
  if (kept.status) {
    status.textContent = kept.status.text;
    status.className = kept.status.className;
  }
  new MutationObserver(() => (kept.status = { text: status.textContent, className: status.className }))
    .observe(status, { childList: true, characterData: true, subtree: true, attributes: true });
}

function upgrade() {
  const panel = document.getElementById("case-detail");
  const caseId = panel && panel.getAttribute("data-case-id");
  const client = document.getElementById("detail-client");
  const now = document.getElementById("client-groups-now");
  if (!mayDecide || !caseId || !client || !now || document.getElementById("client-groups-decision")) return;
  const recorded = (now.dataset.groups || "").split(",").filter(Boolean);
  client.after(form(caseId, recorded));
}

Promise.all([
  i18n.load(document.documentElement.lang || "fi").catch(() => null),
  fetch("/dashboard/me", { credentials: "same-origin", cache: "no-store" }).then((r) => (r.ok ? r.json() : null)).catch(() => null),
]).then(([, me]) => {
  mayDecide = Boolean(me && (me.roles || []).some((role) => role === "caseworker" || role === "coordinator"));
  upgrade();
  new MutationObserver(upgrade).observe(document.body, { childList: true, subtree: true });
});
