/**
 * One i18n loader for Kotopolku's pages: texts come from the gettext catalogue as JSON, one
 * language at a time (`<base><lang>.json`), each fetched once; `t(key, params)` fills {name}
 * placeholders and falls back to the key itself. The client's page uses it; the dashboard's
 * classic script keeps its own copy of the same logic until it becomes modules.
 */
export function createI18n(baseUrl) {
  const loaded = {};
  const loading = {};
  let lang = null;

  function load(wanted) {
    if (!loading[wanted]) {
      loading[wanted] = fetch(baseUrl + wanted + ".json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => {
          if (!response.ok) throw new Error("texts " + wanted + ": HTTP " + response.status);
          return response.json();
        })
        .then((texts) => (loaded[wanted] = texts))
        .catch((error) => {
          delete loading[wanted]; // asked again next time
          throw error;
        });
    }
    return loading[wanted].then(() => {
      lang = wanted;
      return wanted;
    });
  }

  function t(key, params) {
    const texts = loaded[lang] || {};
    const text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (params && name in params ? String(params[name]) : whole));
  }

  return { load, t, get lang() { return lang; } };
}
