/* Helpers every section uses: texts (the shared loader, in the user's language), elements made
 * with h() and only ever filled with text, dates and names, and the API with the session cookie. */
import { messageOf, request } from "../lib/api.js";
import { i18n } from "./texts.js";
import { state } from "./state.js";

// --- Helpers ----------------------------------------------------------------------------------

export function $(id) {
  return document.getElementById(id);
}

export function t(key, params) {
  return i18n.t(key, params);
}

/** A translated code (stage, status, ...) or, for a value the dictionary doesn't know, the value. */
export function term(prefix, value) {
  if (value === null || value === undefined || value === "") {
    return "";
  }
  var text = i18n.find(prefix + "." + value);
  return text === null ? String(value) : text;
}

// A timeline reason: a code (its words are in the catalogue), then what it was about after ": "
// (for a plan or a measure: the plan's type, the measure's kind and status, in words too).
export var REASON_DETAIL_TERMS = {
  "plan.made": ["plan_type"],
  "plan.measure_added": ["measure_kind"],
  "plan.measure_updated": ["measure_kind", "measure_status"]
};
export function reasonText(reason) {
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

export function plural(base, n) {
  return t(n === 1 ? base + "_one" : base + "_other", { n: n });
}

/** Creates an element: h("p", {className: "x", dataset: {a: 1}}, "text", childNode, ...). */
export function h(tag, attrs) {
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
export function addOptions(select, noneText, values, prefix) {
  if (noneText) {
    select.appendChild(h("option", { value: "" }, noneText));
  }
  values.forEach(function (value) {
    select.appendChild(h("option", { value: value }, prefix ? term(prefix, value) : value));
  });
}

export function append(el, child) {
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

export function clear(el) {
  while (el.firstChild) {
    el.removeChild(el.firstChild);
  }
}

export function pad(n) {
  return n < 10 ? "0" + n : String(n);
}

/** A timestamp from the API; one without an offset is UTC (as the service stores them). */
export function parseTime(value) {
  var text = String(value);
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) {
    text += "Z";
  }
  return new Date(text);
}

/** d.M.yyyy in Finnish and Swedish, yyyy-MM-dd in English. Accepts "yyyy-MM-dd" or an ISO time. */
export function formatDate(value) {
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
export function municipalityName(item) {
  return (state.lang === "sv" && item.municipality_name_sv) || item.municipality_name;
}


/** Date and local time: "23.11.2026 klo 10.05" (fi), "23.11.2026 kl. 10.05" (sv), "2026-11-23 10:05" (en). */
export function formatDateTime(value) {
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

export function timeEl(value, withTime) {
  return h("time", { datetime: value }, withTime ? formatDateTime(value) : formatDate(value));
}

export var displayNames = {};

/** Language or country names in the UI language where the browser knows them; else the code. */
export function displayName(type, code) {
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

export function personName(person) {
  return person ? (person.given_names + " " + person.family_name).trim() : "";
}

export function clientName(client) {
  if (!client) {
    return t("unknown_client");
  }
  return (client.given_names + " " + client.family_name).trim();
}

export function debounce(fn, ms) {
  var timer = null;
  return function () {
    var args = arguments;
    clearTimeout(timer);
    timer = setTimeout(function () {
      fn.apply(null, args);
    }, ms);
  };
}

// --- API: the shared client (../lib/api.js) with the session cookie ---------------------------

/** GET by default; api(path, {method: "POST", body: {...}}) sends JSON, in the user's language. */
export function api(path, init) {
  return request(path, Object.assign({ lang: state.lang }, init));
}

export function errorState(failure) {
  if (failure && failure.messages) {
    return { messages: failure.messages };
  }
  if (!failure || failure.status === 0) {
    return { key: "network_error" };
  }
  return { key: "error_generic", params: { status: failure.status } };
}

export function errorText(error) {
  if (!error) {
    return "";
  }
  if (error.messages) {
    return messageOf(error, state.lang);
  }
  return t(error.key, error.params);
}
