"""What a client reads, and in which language. The words are in the gettext catalogue's `client`
domain (shared/locale/<language>/LC_MESSAGES/client.po, docs/translations.md): Finnish, Swedish
and English reviewed; Russian, Ukrainian, Arabic, Somali, Persian and Estonian drafts marked fuzzy.
Unlike the staff catalogue, a fuzzy client text is used: a draft in the client's own language
reaches them better than Finnish they may not read. Only what the client needs: dates, the place,
the interpreter's language and the municipality — never a reason, the residence basis or an
identity code (nothing here has them to give)."""

from __future__ import annotations

import functools
from datetime import date, time
from typing import Any

from shared import municipalities
from shared.i18n import LOCALE_DIR

DOMAIN = "client"
LANGUAGES = ("fi", "sv", "en", "ru", "uk", "ar", "so", "fa", "et")
REVIEWED = ("fi", "sv", "en")  # the others need a native translator's review
# Codes a registration may give for a language we have texts in (ISO 639-3, macrolanguages).
ALIASES = {"fin": "fi", "swe": "sv", "eng": "en", "rus": "ru", "ukr": "uk", "ara": "ar", "som": "so",
           "fas": "fa", "per": "fa", "prs": "fa", "pes": "fa", "est": "et"}
KINDS = (
    "assessment_invited", "assessment_rescheduled", "plan_made", "measure_started", "measure_completed", "plan_reviewed", "plan_ended",
    "case_closed",
)


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """`{code: {language: text}}` of the client domain, fuzzy drafts included."""
    from babel.messages.pofile import read_po

    messages: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as file:
            catalog = read_po(file, locale=language, domain=DOMAIN, abort_invalid=True)
        for message in catalog:
            if isinstance(message.id, str) and message.id and message.string:
                messages.setdefault(message.id, {})[language] = message.string
    return messages


def _known(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-")[0]
    code = ALIASES.get(code, code)
    return code if code in LANGUAGES else None


def municipality_language(municipality_code: str) -> str:
    """Swedish where the reference data names Swedish the municipality's (majority) language,
    else Finnish."""
    municipality = municipalities.get(municipality_code)
    return "sv" if municipality and municipality.language in ("sv", "sv-fi") else "fi"


def choose_language(preferred: list[str], native: str | None, municipality_code: str, integration: str | None = None) -> tuple[str, bool]:
    """(the language to write in, whether the client may not read it): the first of the client's
    preferred languages we have texts for, then their native language, then the integration
    language they chose (Finnish or Swedish), else the municipality's, then English. Any but their
    own: an interpreter or another channel is needed."""
    for code in [*preferred, native]:
        if (language := _known(code)) is not None:
            return language, False
    fallback = integration if integration in ("fi", "sv") else municipality_language(municipality_code)
    return (fallback if fallback in LANGUAGES else "en"), True


def language_of(client: Any, municipality_code: str) -> tuple[str, bool]:
    """`choose_language` for a client's record (ClientView)."""
    return choose_language(client.preferred_languages, client.native_language, municipality_code, client.integration_language)


def _text(code: str, in_language: str, **params: Any) -> str:
    texts = catalogue()[code]
    return texts.get(in_language, texts["en"]).format(**params)


def _date(value: date | str) -> str:
    value = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{value.day}.{value.month}.{value.year}"


def language_name(code: str, language: str) -> str:
    """`so` in Finnish: "somali" (Babel's names; the code where it has none)."""
    from babel import Locale

    try:
        return Locale.parse(language).languages.get(code, code)
    except (ValueError, LookupError):
        return code


def subject(language: str) -> str:
    return _text("client.subject", language)


def render(kind: str, data: dict[str, Any], municipality_code: str, language: str) -> str:
    """The text of a message of `kind` from its domain event's data."""
    municipality = municipalities.get(municipality_code)
    values: dict[str, Any] = {"municipality": municipality.name(language) if municipality else "Kotopolku"}
    if kind in ("assessment_invited", "assessment_rescheduled"):
        at = data.get("at")
        at = time.fromisoformat(at) if isinstance(at, str) else at
        values["date"] = _date(data["on"])
        values["time"] = _text("client.at_time", language, time=at.strftime("%H:%M")) if at else ""
        if data.get("remote"):
            values["where"] = _text("client.remote", language)
        else:
            values["where"] = _text("client.place", language, place=data["place"]) if data.get("place") else ""
        interpreter = data.get("interpreter_language")
        values["interpreter"] = (
            _text("client.interpreter", language, language=language_name(interpreter, language)) if interpreter else ""
        )
    elif kind == "plan_made":
        values["date"] = _date(data["made_on"])
    elif kind in ("measure_started", "measure_completed"):
        values["date"] = _date(data["on"])
    elif kind == "plan_reviewed":
        values |= {"date": _date(data["reviewed_on"]), "next_date": _date(data["next_review_on"])}
    elif kind == "plan_ended":
        values["date"] = _date(data["ended_on"])
    elif kind == "case_closed":
        values["date"] = _date(data["closed_on"])
    return _text(f"client.{kind}", language, **values).strip()


def page_text(message_id: str, language: str, /, **params: Any) -> str:
    """A text of the client's page or of its link and code messages (`client.page*`); positional,
    for the code message has a parameter named `code`."""
    texts = catalogue()[message_id]
    return texts.get(language, texts["en"]).format(**params)


def page_texts(language: str) -> dict[str, str]:
    """The client page's words in one language, keyed without `client.page.`: a draft's missing
    text in English."""
    prefix = "client.page."
    return {
        code[len(prefix):]: texts.get(language, texts.get("en", code))
        for code, texts in catalogue().items()
        if code.startswith(prefix)
    }
