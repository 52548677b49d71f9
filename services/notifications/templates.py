"""What staff are told, in Finnish, Swedish and English. Policy as data: one entry per kind."""

from __future__ import annotations

from datetime import date

from shared import municipalities
from shared.i18n import LANGUAGES

DEADLINE_NAMES = {
    "assessment_start": {"fi": "alkukartoituksen aloitus", "sv": "start av inledande kartläggning", "en": "start of the initial assessment"},
    "plan_start": {"fi": "kotoutumissuunnitelman laatiminen", "sv": "upprättande av integrationsplan", "en": "drawing up the integration plan"},
    "plan_review": {"fi": "suunnitelman tarkistus", "sv": "översyn av planen", "en": "review of the plan"},
}

TEMPLATES: dict[str, dict[str, str]] = {
    "deadline_missed": {
        "fi": "Määräaika ylittyi: {deadline} piti tehdä viimeistään {due_on}.",
        "sv": "Tidsfristen har gått ut: {deadline} skulle ha skett senast {due_on}.",
        "en": "Deadline missed: {deadline} was due by {due_on}.",
    },
    "client_moved_out": {
        "fi": "Asiakas muutti {moved_on} kuntaan {to_municipality}. Asiakkuus ja sen määräajat siirtyivät uuteen kuntaan.",
        "sv": "Klienten flyttade {moved_on} till {to_municipality}. Ärendet och dess tidsfrister har flyttats till den nya kommunen.",
        "en": "The client moved to {to_municipality} on {moved_on}. The case and its deadlines moved to the new municipality.",
    },
    "client_moved_in": {
        "fi": "Kuntaan muutti {moved_on} asiakas kunnasta {from_municipality}. Asiakkuus jatkuu, määräajat ennallaan.",
        "sv": "En klient flyttade {moved_on} hit från {from_municipality}. Ärendet fortsätter med samma tidsfrister.",
        "en": "A client moved here from {from_municipality} on {moved_on}. The case continues with its deadlines unchanged.",
    },
}


def render(kind: str, params: dict) -> dict[str, str]:
    texts = TEMPLATES.get(kind)
    if texts is None:
        return {language: kind for language in LANGUAGES}
    rendered = {}
    for language in LANGUAGES:
        values = dict(params)
        if "due_on" in params:
            values["due_on"] = format_date(date.fromisoformat(params["due_on"]), language)
        if "moved_on" in params:
            values["moved_on"] = format_date(date.fromisoformat(params["moved_on"]), language)
        for end in ("from", "to"):
            code = params.get(f"{end}_municipality_code")
            if code:
                municipality = municipalities.get(code)
                values[f"{end}_municipality"] = municipality.name(language) if municipality else code
        if "deadline_kind" in params:
            values["deadline"] = DEADLINE_NAMES.get(params["deadline_kind"], {}).get(language, params["deadline_kind"])
        try:
            rendered[language] = texts[language].format(**values)
        except KeyError:
            rendered[language] = texts[language]
    return rendered


def format_date(day: date, language: str) -> str:
    """20.1.2027 in Finnish and Swedish, 2027-01-20 in English."""
    return day.isoformat() if language == "en" else f"{day.day}.{day.month}.{day.year}"
