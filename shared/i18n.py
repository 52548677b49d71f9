"""Finnish, Swedish and English for everything a person reads.

The texts live in one gettext catalogue, `shared/locale/<language>/LC_MESSAGES/kotopolku.po`
(docs/translations.md), keyed by stable codes: API refusals (`case_not_found`), notifications
(`notification.deadline_missed.title`), the dashboard (`dashboard.page_title`). The `.po` files
are read once, on first use, so a fresh clone needs no compile step. `translate` picks the
language, `all_languages` gives the three together (API errors carry all three so any client can
show its user's language).
"""

from __future__ import annotations

import functools
from pathlib import Path

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
DOMAIN = "kotopolku"
LOCALE_DIR = Path(__file__).with_name("locale")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message of the catalogue: `{code: {language: text}}`. A fuzzy or empty translation
    counts as missing, as gettext has it."""
    from babel.messages.pofile import read_po  # only where texts are needed: workflows never load it

    messages: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with po_path(language).open("rb") as file:
            catalog = read_po(file, locale=language, domain=DOMAIN, ignore_obsolete=True, abort_invalid=True)
        for message in catalog:
            if isinstance(message.id, str) and message.id:
                texts = messages.setdefault(message.id, {})
                if message.string and not message.fuzzy:
                    texts[language] = message.string
    return messages


def __getattr__(name: str):
    if name == "MESSAGES":  # the table's old name, for code that reads it
        return catalogue()
    raise AttributeError(name)


def translate(code: str, language: str = DEFAULT_LANGUAGE, /, **params) -> str:
    # Positional-only: a message may have a parameter named `language` (or `code`) of its own.
    texts = catalogue()[code]
    return texts.get(language, texts["en"]).format(**params)


def all_languages(code: str, /, **params) -> dict[str, str]:
    return {language: translate(code, language, **params) for language in LANGUAGES}


def texts_under(prefix: str, language: str) -> dict[str, str]:
    """The messages whose code starts with `prefix` (e.g. `dashboard.`), prefix removed, in one
    language (English where that language lacks one)."""
    return {
        code[len(prefix) :]: texts.get(language, texts.get("en", code))
        for code, texts in catalogue().items()
        if code.startswith(prefix)
    }


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
