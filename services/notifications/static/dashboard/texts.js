/* The dashboard's texts: the shared loader (../lib/i18n.js) over /dashboard/texts/<lang>.json, one
 * instance for the whole page (the webhooks section reads it too); a key the chosen language lacks
 * falls back to English. */
import { createI18n } from "../lib/i18n.js";

export var i18n = createI18n("/dashboard/texts/", { fallback: ["en"] });
