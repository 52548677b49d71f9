/**
 * One form helper for Kotopolku's pages: a form's named controls read into an object by their
 * names and types (instead of copying each input by hand), and written back the same way.
 * Text is trimmed; a checkbox is true or false; a number input is a number (empty: null); several
 * controls of one name (or a multiple select) give a list; unnamed and disabled controls are left out.
 */
export function formValues(form) {
  const values = {};
  const many = new Set();
  for (const control of form.elements) {
    const name = control.name;
    if (!name || control.disabled || control.type === "submit" || control.type === "button" || control.tagName === "FIELDSET") continue;
    if (control.type === "radio" && !control.checked) continue;
    let value;
    if (control.type === "checkbox") value = control.checked;
    else if (control.type === "number") value = control.value === "" ? null : Number(control.value);
    else if (control.multiple) value = Array.from(control.selectedOptions, (option) => option.value);
    else value = control.value.trim();
    if (Object.prototype.hasOwnProperty.call(values, name)) {
      if (!many.has(name)) values[name] = [values[name]];
      many.add(name);
      values[name].push(value);
    } else {
      values[name] = value;
    }
  }
  return values;
}

/** Writes `values` (as formValues reads them) into the form's controls of those names. */
export function fillForm(form, values) {
  for (const control of form.elements) {
    if (!control.name || !Object.prototype.hasOwnProperty.call(values, control.name)) continue;
    const value = values[control.name];
    if (control.type === "checkbox") control.checked = Boolean(value);
    else control.value = value === null || value === undefined ? "" : String(value);
  }
}

/** The values that were given: empty text and empty numbers left out (false and 0 stay). */
export function filled(values) {
  const given = {};
  for (const name of Object.keys(values)) {
    if (values[name] !== "" && values[name] !== null) given[name] = values[name];
  }
  return given;
}
