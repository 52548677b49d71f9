/* The case view's command forms: labelled fields, a form that sends a command, and what the user
 * typed kept across re-renders (a live update redraws the case view). A control is named after
 * the field of the command it fills (its id stays unique on the page): the form is read into an
 * object by the shared form helper (../lib/forms.js), never copied field by field. */
import { formValues } from "../lib/forms.js";
import { state } from "./state.js";
import { addOptions, h, t } from "./ui.js";

/** A labelled form field; `control` is an input, select or textarea element with an id. */
export function field(labelKey, control, extraClass) {
  return h("div", { className: "field" + (extraClass ? " " + extraClass : "") }, h("label", { for: control.id }, t(labelKey)), control);
}

/** An input; `attrs.name` names the command's field (else the id). */
export function input(id, type, attrs) {
  var el = h("input", { id: id, name: id, type: type || "text", autocomplete: "off" });
  Object.keys(attrs || {}).forEach(function (name) {
    el.setAttribute(name, attrs[name]);
  });
  return el;
}

export function select(id, options, prefix, withEmpty, name) {
  var el = h("select", { id: id, name: name || id });
  addOptions(el, withEmpty ? t("choose") : null, options, prefix);
  return el;
}

/** A command's form; on submit, `onsubmit(values)` gets its controls' values by name (formValues). */
export function commandForm(id, headingKey, fields, submitKey, onsubmit) {
  var form = h(
    "form",
    { id: id, className: "command-form", "aria-labelledby": id + "-title" },
    h("h4", { id: id + "-title" }, t(headingKey)),
    fields,
    h("div", { className: "field field-buttons" }, h("button", { type: "submit", disabled: Boolean(state.assessmentBusy) }, t(submitKey)))
  );
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    onsubmit(formValues(form));
  });
  return form;
}

/** What the user typed survives a re-render (a live update re-draws the case view). */
export function keepInputs(container) {
  var kept = state.keptInputs || {};
  Array.prototype.forEach.call(container.querySelectorAll("input, select, textarea"), function (el) {
    kept[el.id] = el.type === "checkbox" ? el.checked : el.value;
  });
  state.keptInputs = kept;
}

export function restoreInputs(container) {
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
