"""Finnish, Swedish and English for everything a person reads.

Messages are keyed by a stable code; `translate` picks the language, `all_languages` gives the
three together (API errors carry all three so any client can show its user's language).
"""

from __future__ import annotations

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"

MESSAGES: dict[str, dict[str, str]] = {
    "not_authenticated": {
        "fi": "Kirjaudu sisään.",
        "sv": "Logga in.",
        "en": "Please sign in.",
    },
    "invalid_token": {
        "fi": "Kirjautuminen ei kelpaa tai on vanhentunut: {reason}",
        "sv": "Inloggningen är ogiltig eller har gått ut: {reason}",
        "en": "The sign-in is invalid or has expired: {reason}",
    },
    "forbidden_role": {
        "fi": "Tämä toiminto vaatii roolin: {roles}.",
        "sv": "Den här åtgärden kräver rollen: {roles}.",
        "en": "This action needs the role: {roles}.",
    },
    "case_not_found": {
        "fi": "Asiakkuutta ei löydy.",
        "sv": "Ärendet hittades inte.",
        "en": "Case not found.",
    },
    "not_found": {
        "fi": "Ei löydy.",
        "sv": "Hittades inte.",
        "en": "Not found.",
    },
    "invalid_request": {
        "fi": "Pyynnössä on virheellisiä kenttiä: {fields}",
        "sv": "Begäran har felaktiga fält: {fields}",
        "en": "The request has invalid fields: {fields}",
    },
    "municipality_not_allowed": {
        "fi": "Sinulla ei ole oikeutta kunnan {code} tietoihin.",
        "sv": "Du har inte behörighet till kommunens {code} uppgifter.",
        "en": "You have no access to municipality {code}.",
    },
    "dependency_down": {
        "fi": "Palvelu ei ole valmis: {parts} ei vastaa.",
        "sv": "Tjänsten är inte redo: {parts} svarar inte.",
        "en": "Not ready: {parts} not reachable.",
    },
    "internal_error": {
        "fi": "Odottamaton virhe. Mitään ei menetetty; yritä uudelleen.",
        "sv": "Oväntat fel. Inget gick förlorat; försök igen.",
        "en": "Unexpected error. Nothing was lost; please try again.",
    },
}


def translate(code: str, language: str = DEFAULT_LANGUAGE, **params) -> str:
    texts = MESSAGES[code]
    return texts.get(language, texts["en"]).format(**params)


def all_languages(code: str, **params) -> dict[str, str]:
    return {language: translate(code, language, **params) for language in LANGUAGES}


def negotiate(accept_language: str | None) -> str:
    """The first of fi/sv/en the caller accepts (by q-value), else English."""
    if not accept_language:
        return "en"
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return "en"
