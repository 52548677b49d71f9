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
    "assessment_deadline_reminder": {
        "fi": "Muistutus: {deadline} viimeistään {due_on} ({days} päivää). Alkukartoitusta ei ole vielä aloitettu.",
        "sv": "Påminnelse: {deadline} senast {due_on} ({days} dagar). Den inledande kartläggningen har inte inletts ännu.",
        "en": "Reminder: {deadline} is due by {due_on} ({days} days). The assessment has not started yet.",
    },
    "assessment_interview_reminder": {
        "fi": "Muistutus: alkukartoituksen haastattelu {on}{at}, {where}.",
        "sv": "Påminnelse: intervjun för den inledande kartläggningen {on}{at}, {where}.",
        "en": "Reminder: the initial assessment interview is on {on}{at}, {where}.",
    },
    "possible_duplicate": {
        "fi": "Uusi asiakas saattaa olla jo rekisterissä (samankaltainen nimi, sama syntymäaika). Tarkista ja ratkaise kaksoiskappaleiden jonossa.",
        "sv": "En ny klient kan redan finnas registrerad (liknande namn, samma födelsedatum). Kontrollera och avgör i kön för dubbletter.",
        "en": "A new client may already be registered (similar name, same birth date). Check and decide in the duplicate review queue.",
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
    # --- recruitment notices (values from notice_values below) ---
    "notice_received": {
        "fi": "Uusi rekrytointi-ilmoitus: {employer} on rekrytoinut henkilön {recruit} tehtävään {job_title}. Odotettu saapuminen {expected_arrival}. Perhe: {family}.",
        "sv": "Ny rekryteringsanmälan: {employer} har rekryterat {recruit} som {job_title}. Väntad ankomst {expected_arrival}. Familj: {family}.",
        "en": "New recruitment notice: {employer} has recruited {recruit} as {job_title}. Expected to arrive on {expected_arrival}. Family: {family}.",
    },
    "notice_reminder": {
        "fi": "Muistutus: {recruit} ({employer}) saapuu {expected_arrival}. Valmistele: {preparations}.",
        "sv": "Påminnelse: {recruit} ({employer}) anländer {expected_arrival}. Förbered: {preparations}.",
        "en": "Reminder: {recruit} ({employer}) arrives on {expected_arrival}. Prepare: {preparations}.",
    },
    "notice_expired": {
        "fi": "Rekrytointi-ilmoitus vanheni: {recruit} ({employer}) ei saapunut {grace_days} päivän kuluessa odotetusta saapumisesta {expected_arrival}.",
        "sv": "Rekryteringsanmälan har gått ut: {recruit} ({employer}) anlände inte inom {grace_days} dagar från den väntade ankomsten {expected_arrival}.",
        "en": "Recruitment notice expired: {recruit} ({employer}) did not arrive within {grace_days} days of the expected arrival on {expected_arrival}.",
    },
    "notice_withdrawn": {
        "fi": "Työnantaja {employer} perui rekrytointi-ilmoituksen: {recruit} ei ole tulossa (odotettu saapuminen {expected_arrival}).",
        "sv": "Arbetsgivaren {employer} drog tillbaka rekryteringsanmälan: {recruit} kommer inte (väntad ankomst {expected_arrival}).",
        "en": "{employer} withdrew the recruitment notice: {recruit} is not coming (expected arrival {expected_arrival}).",
    },
    "notice_arrived": {
        "fi": "Rekrytoitu henkilö saapui: {recruit} ({employer}, {job_title}) on rekisteröity kuntaan, ja asiakkuus sai ilmoituksen tiedot.",
        "sv": "Den rekryterade har anlänt: {recruit} ({employer}, {job_title}) är registrerad i kommunen och ärendet har fått anmälans uppgifter.",
        "en": "The recruit has arrived: {recruit} ({employer}, {job_title}) is registered in the municipality and the case has the notice's information.",
    },
    "notice_match_review": {
        "fi": "Rekrytointi-ilmoitusten ja asukkaiden mahdollisia yhdistämisiä odottaa tarkistusta: {count}.",
        "sv": "Möjliga kopplingar mellan rekryteringsanmälningar och invånare väntar på granskning: {count}.",
        "en": "Possible matches between recruitment notices and residents waiting for review: {count}.",
    },
}

# Words for what a recruitment notice says about the family and what to prepare.
_AND = {"fi": "ja", "sv": "och", "en": "and"}
_CHILDREN = {
    "fi": lambda ages: f"{'lapset' if len(ages) > 1 else 'lapsi'} {ages_text(ages, 'fi')} v",
    "sv": lambda ages: f"barn {ages_text(ages, 'sv')} år",
    "en": lambda ages: f"{'children' if len(ages) > 1 else 'child'} aged {ages_text(ages, 'en')}",
}
_ADULTS = {
    "fi": lambda count: f"{count} {'aikuinen' if count == 1 else 'aikuista'}",
    "sv": lambda count: f"{count} {'vuxen' if count == 1 else 'vuxna'}",
    "en": lambda count: f"{count} {'adult' if count == 1 else 'adults'}",
}
_NO_CHILDREN = {"fi": "ei lapsia", "sv": "inga barn", "en": "no children"}
_DAYCARE = {  # (one, several)
    "fi": ("varhaiskasvatuspaikka", "varhaiskasvatuspaikat"),
    "sv": ("plats i småbarnspedagogiken", "platser i småbarnspedagogiken"),
    "en": ("early childhood education place", "early childhood education places"),
}
_SCHOOL = {"fi": ("koulupaikka", "koulupaikat"), "sv": ("skolplats", "skolplatser"), "en": ("school place", "school places")}
_LANGUAGE = {
    "fi": "kielikoulutus ja yhteiskuntaorientaatio",
    "sv": "språkutbildning och samhällsorientering",
    "en": "language training and civic orientation",
}
_REMOTE = {"fi": "etänä", "sv": "på distans", "en": "remotely"}
_PLACE_OPEN = {"fi": "paikka ilmoitetaan myöhemmin", "sv": "platsen meddelas senare", "en": "place to be announced"}
_HOUSING = {"fi": "asumisneuvonta", "sv": "boenderådgivning", "en": "housing advice"}


def ages_text(ages: list[int], language: str) -> str:
    """8 → "8"; 8, 5 → "8 ja 5"; 12, 8, 5 → "12, 8 ja 5"."""
    words = [str(age) for age in ages]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {_AND[language]} {words[-1]}"


def notice_values(params: dict, language: str) -> dict[str, str]:
    """The family and what to prepare (daycare and school places by the children's ages in the
    year of arrival, language courses, housing advice), in one language."""
    adults, children = params.get("adults", 1), params.get("children_ages", [])
    family = f"{_ADULTS[language](adults)}, {_CHILDREN[language](children) if children else _NO_CHILDREN[language]}"
    preparations = []
    for places, ages in ((_DAYCARE, params.get("daycare_ages")), (_SCHOOL, params.get("school_ages"))):
        if ages:
            preparations.append(f"{places[language][len(ages) > 1]} ({_CHILDREN[language](ages)})")
    preparations.append(f"{_LANGUAGE[language]} ({_ADULTS[language](adults)})")
    preparations.append(_HOUSING[language])
    values = {"family": family, "preparations": "; ".join(preparations)}
    if "expected_arrival_on" in params:
        values["expected_arrival"] = format_date(date.fromisoformat(params["expected_arrival_on"]), language)
    return values


def render(kind: str, params: dict) -> dict[str, str]:
    texts = TEMPLATES.get(kind)
    if texts is None:
        return {language: kind for language in LANGUAGES}
    rendered = {}
    for language in LANGUAGES:
        values = dict(params)
        if "due_on" in params:
            values["due_on"] = format_date(date.fromisoformat(params["due_on"]), language)
        for name in ("moved_on", "on"):
            if params.get(name):
                values[name] = format_date(date.fromisoformat(params[name]), language)
        if kind == "assessment_interview_reminder":
            values["at"] = f" {params['at']}" if params.get("at") else ""
            values["where"] = _REMOTE[language] if params.get("remote") else (params.get("place") or _PLACE_OPEN[language])
        for end in ("from", "to"):
            code = params.get(f"{end}_municipality_code")
            if code:
                municipality = municipalities.get(code)
                values[f"{end}_municipality"] = municipality.name(language) if municipality else code
        if "deadline_kind" in params:
            values["deadline"] = DEADLINE_NAMES.get(params["deadline_kind"], {}).get(language, params["deadline_kind"])
        if kind.startswith("notice_"):
            values.update(notice_values(params, language))
        try:
            rendered[language] = texts[language].format(**values)
        except KeyError:
            rendered[language] = texts[language]
    return rendered


def format_date(day: date, language: str) -> str:
    """20.1.2027 in Finnish and Swedish, 2027-01-20 in English."""
    return day.isoformat() if language == "en" else f"{day.day}.{day.month}.{day.year}"
