/**
 * One API client for Kotopolku's pages: JSON in and out, the session cookie (the dashboard) or a
 * bearer token (the client's page), never cached. A refusal throws an ApiFailure that carries the
 * service's answer; `messageOf` picks its words in the page's language (the service sends fi, sv
 * and en in `messages`). A network failure is an ApiFailure with status 0.
 */
export class ApiFailure extends Error {
  constructor(status, body) {
    const detail = body && body.detail;
    super((body && (body.message || (detail && detail.message))) || "HTTP " + status);
    this.status = status;
    this.body = body;
    this.code = (detail && detail.code) || (body && body.code) || null;
    this.messages = (detail && detail.messages) || (body && body.messages) || null;
  }
}

/**
 * GET by default; request(path, {method: "POST", body: {...}}) sends JSON. `lang` becomes the
 * Accept-Language, `token` a bearer Authorization header. Answers the parsed JSON (or null).
 */
export function request(path, init) {
  const options = { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
  const given = init || {};
  if (given.lang) options.headers["Accept-Language"] = given.lang;
  if (given.token) options.headers.Authorization = "Bearer " + given.token;
  if (given.method) options.method = given.method;
  if (given.body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(given.body);
  }
  return fetch(path, options).then(
    (response) =>
      response.text().then((text) => {
        let body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (e) {
          body = null;
        }
        if (!response.ok) throw new ApiFailure(response.status, body);
        return body;
      }),
    () => {
      throw new ApiFailure(0, null);
    },
  );
}

/** The refusal's words in `lang` (else English, else Finnish), or null when it has none. */
export function messageOf(failure, lang) {
  const messages = failure && failure.messages;
  return messages ? messages[lang] || messages.en || messages.fi || "" : null;
}

/** "?a=1&b=x" of the parameters that have a value (empty, null and false are left out). */
export function query(params) {
  const parts = [];
  for (const name of Object.keys(params)) {
    const value = params[name];
    if (value !== null && value !== undefined && value !== "" && value !== false) {
      parts.push(encodeURIComponent(name) + "=" + encodeURIComponent(String(value)));
    }
  }
  return parts.length ? "?" + parts.join("&") : "";
}
