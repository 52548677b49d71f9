/* Kotopolku dashboard: the admins' webhook subscriptions (docs/webhooks.md).
 *
 * A module of its own beside the dashboard's (dashboard/main.js): it asks /dashboard/me whether the
 * user is an admin, shows its section only then, and talks to /api/v1/webhooks with the session
 * cookie through the shared API client (lib/api.js); its form is read by the shared form helper
 * (lib/forms.js). Its texts are the catalogue's `dashboard.webhooks_*` messages from the
 * dashboard's own text loader (dashboard/texts.js), in the language the dashboard switches the
 * page to. Data from the API is only ever inserted as text.
 */
import { request } from "/static/lib/api.js";
import { fillForm, formValues } from "/static/lib/forms.js";
import { i18n } from "/static/dashboard/texts.js";

var API = "/api/v1/webhooks";
var DEFAULT_TYPES = "fi.kotopolku.case.updated.v1";
var lang = null;
var me = null;
var subscriptions = [];
var open = null; // {id, deliveries} of the subscription whose delivery log is shown

function $(id) {
  return document.getElementById(id);
}

function t(key, params) {
  var text = i18n.find(key, [lang]);
  return i18n.fill(text || key, params || {});
}

function el(tag, text, className) {
  var node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = text;
  }
  if (className) {
    node.className = className;
  }
  return node;
}

function when(value) {
  return value ? new Date(value).toLocaleString(lang === "en" ? "en-GB" : lang + "-FI") : "";
}

function call(path, method, body) {
  return request(path, { method: method || "GET", body: body, lang: lang || "fi" }).catch(function (failure) {
    throw failure.status === 0 ? new Error(t("network_error")) : failure; // a refusal says why in its message
  });
}

function say(message) {
  var box = $("webhooks-message");
  box.textContent = message || "";
  box.hidden = !message;
}

function loadTexts() {
  var wanted = document.documentElement.lang || "fi";
  if (wanted === lang) {
    return Promise.resolve();
  }
  return i18n.fetchTexts(wanted).catch(function () {}).then(function () {
    lang = wanted;
  });
}

function list() {
  return call(API).then(function (found) {
    subscriptions = found;
    render();
  }, function (error) {
    say(error.message);
  });
}

function stateOf(subscription) {
  if (!subscription.enabled) {
    return t("webhooks_disabled", { since: when(subscription.disabled_at) });
  }
  return subscription.failing_since ? t("webhooks_failing", { since: when(subscription.failing_since) }) : t("webhooks_enabled");
}

function button(text, action) {
  var node = el("button", text, "secondary small");
  node.type = "button";
  node.addEventListener("click", action);
  return node;
}

function render() {
  var body = $("webhooks-list");
  body.textContent = "";
  $("webhooks-empty").hidden = subscriptions.length > 0;
  subscriptions.forEach(function (subscription) {
    var row = el("tr");
    row.appendChild(el("td", subscription.url));
    row.appendChild(el("td", subscription.event_types.join(", ")));
    row.appendChild(el("td", subscription.municipalities.join(", ")));
    row.appendChild(el("td", stateOf(subscription)));
    var actions = el("td", null, "webhooks-actions");
    actions.appendChild(button(t("webhooks_deliveries"), function () { deliveries(subscription.id); }));
    actions.appendChild(button(t("webhooks_replay"), function () { replay(subscription.id); }));
    actions.appendChild(button(t("webhooks_rotate"), function () { rotate(subscription.id); }));
    actions.appendChild(button(t("webhooks_delete"), function () { remove(subscription.id); }));
    row.appendChild(actions);
    body.appendChild(row);
  });
  renderDeliveries();
}

function renderDeliveries() {
  var box = $("webhooks-deliveries");
  box.textContent = "";
  box.hidden = !open;
  if (!open) {
    return;
  }
  box.appendChild(el("h3", t("webhooks_deliveries")));
  if (!open.deliveries.length) {
    box.appendChild(el("p", t("webhooks_no_deliveries"), "empty"));
    return;
  }
  var table = el("table", null, "cases");
  var head = el("tr");
  ["webhooks_created", "webhooks_event_type", "webhooks_state", "webhooks_attempts", "webhooks_last_answer"].forEach(function (key) {
    head.appendChild(el("th", t(key)));
  });
  table.appendChild(el("thead")).appendChild(head);
  var rows = table.appendChild(el("tbody"));
  open.deliveries.forEach(function (delivery) {
    var row = el("tr");
    row.title = delivery.webhook_id;
    row.appendChild(el("td", when(delivery.created_at)));
    row.appendChild(el("td", delivery.event_type));
    row.appendChild(el("td", t(delivery.state === "delivered" ? "webhooks_state_delivered" : "webhooks_state_pending")));
    row.appendChild(el("td", String(delivery.attempts)));
    row.appendChild(el("td", delivery.last_error || (delivery.last_status ? String(delivery.last_status) : "")));
    rows.appendChild(row);
  });
  box.appendChild(table);
}

function showSecret(secret) {
  $("webhooks-secret-value").textContent = secret;
  $("webhooks-secret").hidden = false;
}

function deliveries(id) {
  call(API + "/" + id + "/deliveries?page_size=50").then(function (page) {
    open = { id: id, deliveries: page.items };
    renderDeliveries();
  }, function (error) { say(error.message); });
}

function replay(id) {
  call(API + "/" + id + "/replay", "POST", {}).then(function (result) {
    say(t("webhooks_replayed", { count: result.replayed }));
    return list();
  }, function (error) { say(error.message); });
}

function rotate(id) {
  call(API + "/" + id + "/secret", "POST").then(function (created) {
    showSecret(created.secret);
  }, function (error) { say(error.message); });
}

function remove(id) {
  if (!window.confirm(t("webhooks_confirm_delete"))) {
    return;
  }
  call(API + "/" + id, "DELETE").then(function () {
    if (open && open.id === id) {
      open = null;
    }
    return list();
  }, function (error) { say(error.message); });
}

function words(value) {
  return value.split(/[\s,]+/).filter(Boolean);
}

function create(event) {
  event.preventDefault();
  say("");
  var form = event.target;
  var values = formValues(form);
  var body = { url: values.url, event_types: words(values.event_types), municipalities: words(values.municipalities) };
  call(API, "POST", body).then(function (created) {
    showSecret(created.secret);
    fillForm(form, { url: "" });
    return list();
  }, function (error) { say(error.message); });
}

function start() {
  var section = $("webhooks");
  if (!section) {
    return;
  }
  fetch("/dashboard/me", { credentials: "same-origin", cache: "no-store" })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (user) {
      me = user;
      if (!me || me.roles.indexOf("admin") < 0) {
        return;
      }
      section.hidden = false;
      fillForm($("webhooks-form"), { event_types: DEFAULT_TYPES, municipalities: me.municipalities.join(", ") });
      $("webhooks-form").addEventListener("submit", create);
      $("webhooks-refresh").addEventListener("click", list);
      // the dashboard sets <html lang> when the user switches language: follow it.
      new MutationObserver(function () {
        loadTexts().then(render);
      }).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
      return loadTexts().then(list);
    })
    .catch(function () {});
}

start(); // a module runs once the page is parsed
