/* The case view's command forms: labelled fields, a form that sends a command, and what the user
 * typed kept across re-renders (a live update redraws the case view). */
import { state } from "./state.js";
import { $, addOptions, h, t } from "./ui.js";

export function value(id) {
  var el = $(id);
  return el ? el.value.trim() : "";
}

/** A labelled form field; `control` is an input, select or textarea element with an id. */
export function field(labelKey, control, extraClass) {
  return h("div", { className: "field" + (extraClass ? " " + extraClass : "") }, h("label", { for: control.id }, t(labelKey)), control);
}

export function input(id, type, attrs) {
  var el = h("input", { id: id, name: id, type: type || "text", autocomplete: "off" });
  Object.keys(attrs || {}).forEach(function (name) {
    el.setAttribute(name, attrs[name]);
  });
  return el;
}

export function select(id, options, prefix, withEmpty) {
  var el = h("select", { id: id, name: id });
  addOptions(el, withEmpty ? t("choose") : null, options, prefix);
  return el;
}

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
    onsubmit();
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
