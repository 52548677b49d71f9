/**
 * Kotopolku dashboard: what a plan names is chosen, never typed (docs/client-groups.md, docs/roles.md).
 *
 * Beside dashboard.js, as a module of its own: when the plan form or the assessment's completion
 * form appears in the case view (`#case-detail[data-case-id]`), the wellbeing services county's
 * participant becomes a select of
 * the county's staff list (`GET /api/v1/cases/{id}/plan/county-staff`; its value is the chosen
 * `sub`, which dashboard.js sends as `wellbeing_county_participant_sub`), and the family's members
 * become checkboxes of the other cases of the client's household that the user may see
 * (`GET /api/v1/cases?household=`); the chosen ids go into the form's own `#plan-family` field,
 * which dashboard.js reads as before. The server checks both again (422 naming the field).
 * Data from the API is only ever inserted as text.
 */
import { createI18n } from "/static/lib/i18n.js";

const i18n = createI18n("/dashboard/texts/");
const t = (key, params) => i18n.t(key, params); // the catalogue's `dashboard.*`, prefix removed

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

async function getJson(path) {
  const response = await fetch(path, {
    credentials: "same-origin", cache: "no-store",
    headers: { Accept: "application/json", "Accept-Language": i18n.lang || "fi" },
  });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

/** The typed participant input becomes a select of the county's staff (the same id: dashboard.js reads its value). */
async function participantSelect(input, caseId) {
  input.dataset.chosen = "pending";
  const previous = input.value; // kept across a live refresh of the case view
  const select = el("select", { id: input.id, name: input.name || input.id, "data-chosen": "county-staff" });
  select.appendChild(el("option", { value: "" }, "–"));
  input.replaceWith(select);
  const label = document.querySelector(`label[for="${select.id}"]`);
  if (label) label.textContent = t("field_wellbeing_participant_choose");
  try {
    const answer = await getJson(`/api/v1/cases/${encodeURIComponent(caseId)}/plan/county-staff`);
    for (const member of answer.staff) {
      select.appendChild(el("option", { value: member.sub }, member.title ? `${member.name} (${member.title})` : member.name));
    }
    select.value = previous;
    if (!answer.staff.length) select.after(el("span", { id: `${select.id}-none`, class: "cell-sub" }, t("county_staff_none")));
  } catch (error) {
    select.after(el("span", { class: "cell-sub" }, String(error.message)));
  }
}

/** The typed family ids become checkboxes of the household's other cases (the ids kept in the hidden field). */
async function familyChoices(input, caseId) {
  const chosen = input.value.split(/[\s,]+/).filter(Boolean); // kept across a live refresh
  input.type = "hidden";
  input.dataset.chosen = "household";
  const help = document.getElementById("plan-family-help");
  if (help) help.hidden = true;
  const box = el("fieldset", { id: "plan-family-choices" });
  box.appendChild(el("legend", {}, t("field_family_members_choose")));
  input.after(box);
  const sync = () => {
    input.value = [...box.querySelectorAll("input:checked")].map((check) => check.value).join(",");
  };
  try {
    const current = await getJson(`/api/v1/cases/${encodeURIComponent(caseId)}`);
    const household = current.client && current.client.household_id;
    const members = household
      ? (await getJson(`/api/v1/cases?household=${encodeURIComponent(household)}&page_size=50`)).items.filter((item) => item.case_id !== caseId)
      : [];
    for (const member of members) {
      const id = `plan-family-${member.case_id}`;
      const check = el("input", { type: "checkbox", id, value: member.case_id });
      check.checked = chosen.includes(member.case_id);
      check.addEventListener("change", sync);
      const name = member.client ? `${member.client.given_names} ${member.client.family_name}` : member.case_id;
      const row = el("div", { class: "check-row" });
      row.append(check, el("label", { for: id }, name));
      box.appendChild(row);
    }
    if (!members.length) box.appendChild(el("p", { id: "plan-family-none", class: "empty" }, t("household_none")));
  } catch (error) {
    box.appendChild(el("p", { class: "empty" }, String(error.message)));
  }
}

function upgrade() {
  const panel = document.getElementById("case-detail");
  const caseId = panel && panel.getAttribute("data-case-id");
  if (!caseId) return;
  for (const id of ["plan-wellbeing", "complete-wellbeing"]) {
    const participant = document.getElementById(id);
    if (participant && participant.tagName === "INPUT" && !participant.dataset.chosen) participantSelect(participant, caseId);
  }
  const family = document.getElementById("plan-family");
  if (family && family.type === "text" && !family.dataset.chosen) familyChoices(family, caseId);
}

i18n.load(document.documentElement.lang || "fi").catch(() => null).finally(() => {
  upgrade();
  new MutationObserver(upgrade).observe(document.body, { childList: true, subtree: true });
});
