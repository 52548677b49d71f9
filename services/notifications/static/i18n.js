/* The shared i18n loader lives in lib/i18n.js (with lib/api.js and lib/forms.js); this name stays
 * for pages that still import it from here. */
export { createI18n } from "./lib/i18n.js";
