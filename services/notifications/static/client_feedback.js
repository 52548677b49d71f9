/**
 * The client page's plan and feedback parts (docs/client-page.md): the plan's services with their
 * provider, place, time, language and interpreter, and the questions waiting for the client's answer.
 * Answers go to /client/api/feedback/<id> and are kept without the client's name. Data is only
 * ever inserted as text.
 */

function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return d + "." + m + "." + y;
}

/** A language's name in the page's language (Intl), the code where the browser has none. */
function languageName(code, pageLang) {
  try {
    return new Intl.DisplayNames([pageLang], { type: "language" }).of(code) || code;
  } catch {
    return code;
  }
}

function line(text, className) {
  const element = document.createElement("p");
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** The plan's services, one card each. */
export function renderMeasures(list, measures, i18n) {
  if (!measures.length) {
    const empty = document.createElement("li");
    empty.dataset.empty = "true";
    empty.textContent = i18n.t("no_measures");
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(
    ...measures.map((measure) => {
      const item = document.createElement("li");
      item.dataset.kind = measure.kind || "";
      item.dataset.status = measure.status;
      const title = document.createElement("h3");
      title.textContent = i18n.t("measure_kind." + (measure.kind || "other"));
      item.append(title, line(i18n.t("measure_status." + measure.status), "status"));
      if (measure.provider) item.append(line(i18n.t("measure_provider", { provider: measure.provider }), "provider"));
      if (measure.place) {
        // "remote" is a word staff choose, shown in the client's language; an address as written.
        const place = measure.place.trim().toLowerCase() === "remote" ? i18n.t("measure_remote") : measure.place;
        item.append(line(i18n.t("measure_place", { place: place }), "place"));
      }
      if (measure.starts_on || measure.ends_on) {
        const start = measure.starts_on ? formatDate(measure.starts_on) : "";
        const end = measure.ends_on ? formatDate(measure.ends_on) : "";
        item.append(line(i18n.t("measure_time", { start: start, end: end }), "time"));
      }
      if (measure.language) item.append(line(i18n.t("measure_language", { language: languageName(measure.language, i18n.lang) }), "language"));
      if (measure.interpreter_language) {
        item.append(line(i18n.t("measure_interpreter", { language: languageName(measure.interpreter_language, i18n.lang) }), "interpreter"));
      }
      return item;
    }),
  );
}

function choices(name, values, labelOf) {
  return values.map((value) => {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = String(value);
    input.required = true;
    label.append(input, document.createTextNode(labelOf(value)));
    return label;
  });
}

/**
 * The open questions as forms; `send(id, answer)` answers one (true when accepted). What the client
 * has chosen stays when the page's language changes: the forms are built once per question.
 */
export function renderFeedback(section, container, questions, i18n, send) {
  section.hidden = !questions.length && !container.dataset.answered;
  const open = new Set(questions.map((question) => question.id));
  for (const form of [...container.children]) if (!open.has(form.dataset.id)) form.remove();
  for (const question of questions) {
    let form = container.querySelector(`form[data-id="${question.id}"]`);
    if (!form) {
      form = document.createElement("form");
      form.className = "feedback-question";
      form.dataset.id = question.id;
      form.dataset.about = question.about;
      const heading = document.createElement("h3");
      const useful = document.createElement("fieldset");
      useful.append(document.createElement("legend"), ...choices("usefulness-" + question.id, [1, 2, 3, 4, 5], String));
      const understood = document.createElement("fieldset");
      understood.append(document.createElement("legend"), ...choices("understood-" + question.id, ["yes", "partly", "no"], () => ""));
      const submit = document.createElement("button");
      submit.type = "submit";
      form.append(heading, useful, understood, submit);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const answer = { usefulness: Number(data.get("usefulness-" + question.id)), understood: data.get("understood-" + question.id) };
        if (await send(question.id, answer)) {
          container.dataset.answered = "true";
          form.remove();
          document.getElementById("feedback-sent").hidden = false;
        }
      });
      container.append(form);
    }
    const [heading, useful, understood, submit] = form.children;
    heading.textContent = question.about === "closure"
      ? i18n.t("feedback_about_closure")
      : i18n.t("feedback_about_measure", { measure: i18n.t("measure_kind." + (question.measure_kind || "other")) });
    useful.querySelector("legend").textContent = i18n.t("feedback_usefulness");
    understood.querySelector("legend").textContent = i18n.t("feedback_understood");
    for (const label of understood.querySelectorAll("label")) label.lastChild.textContent = i18n.t("understood." + label.firstChild.value);
    submit.textContent = i18n.t("feedback_submit");
  }
}
