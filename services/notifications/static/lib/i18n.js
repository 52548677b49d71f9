/**
 * One i18n loader for Kotopolku's pages (the dashboard, its webhooks section and the client's page):
 * texts come from the gettext catalogue as JSON, one language at a time (`<base><lang>.json`), each
 * fetched once; `t(key, params)` fills {name} placeholders. A key the chosen language lacks is
 * looked up in the `fallback` languages that are loaded (the dashboard: English), else the key.
 */
export function createI18n(baseUrl, options) {
  const fallback = (options && options.fallback) || [];
  const loaded = {};
  const loading = {};
  let lang = null;

  /** The texts of one language, fetched once (a failure is asked again next time). */
  function fetchTexts(wanted) {
    if (!loading[wanted]) {
      loading[wanted] = fetch(baseUrl + wanted + ".json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error("texts " + wanted + ": HTTP " + response.status);
          return response.json();
        })
        .then((texts) => (loaded[wanted] = texts))
        .catch((error) => {
          delete loading[wanted];
          throw error;
        });
    }
    return loading[wanted];
  }

  /** Fetches a language's texts and then shows the page in it. */
  function load(wanted) {
    return fetchTexts(wanted).then(() => use(wanted));
  }

  /** Shows the page in a language from now on (its texts should be loaded). */
  function use(wanted) {
    lang = wanted;
    return wanted;
  }

  /** The text of `key` in the languages given (default: the chosen one), or null. */
  function find(key, languages) {
    for (const code of languages || [lang]) {
      const texts = loaded[code];
      if (texts && Object.prototype.hasOwnProperty.call(texts, key)) return texts[key];
    }
    return null;
  }

  function fill(text, params) {
    return text.replace(/\{(\w+)\}/g, (whole, name) => (params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole));
  }

  function t(key, params) {
    const text = find(key, [lang, ...fallback]);
    return fill(text === null ? key : text, params);
  }

  return { fetchTexts, load, use, find, fill, t, get lang() { return lang; } };
}
