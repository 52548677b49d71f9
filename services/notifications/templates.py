"""What staff are told, in Finnish, Swedish and English. The words are in the translation
catalogue (shared/locale/): `notification.<kind>.body` and `.title` for each NotificationKind,
`deadline.<kind>` for the deadlines they name, `notice.*` for what a recruitment notice says about
the family and what to prepare. This module only fills in the values."""

from __future__ import annotations

from datetime import date

from shared import municipalities
from shared.contracts import NotificationKind
from shared.i18n import LANGUAGES, catalogue, translate


def kind_of(kind: str) -> NotificationKind | None:
    """The NotificationKind of a stored kind, or None for one this version does not know."""
    try:
        return NotificationKind(kind)
    except ValueError:
        return None


def title(kind: str, language: str) -> str:
    known = kind_of(kind)
    return translate(f"notification.{known}.title", language) if known else kind


def deadline_name(deadline_kind: str, language: str) -> str:
    code = f"deadline.{deadline_kind}"
    return translate(code, language) if code in catalogue() else deadline_kind


def ages_text(ages: list[int], language: str) -> str:
    """8 → "8"; 8, 5 → "8 ja 5"; 12, 8, 5 → "12, 8 ja 5"."""
    words = [str(age) for age in ages]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {translate('notice.and', language)} {words[-1]}"


def _counted(code: str, how_many: int, language: str, **params) -> str:
    """`code.one` for one, `code.other` for more."""
    return translate(f"{code}.{'one' if how_many == 1 else 'other'}", language, **params)


def _children(ages: list[int], language: str) -> str:
    return _counted("notice.children", len(ages), language, ages=ages_text(ages, language))


def _adults(count: int, language: str) -> str:
    return _counted("notice.adults", count, language, count=count)


def notice_values(params: dict, language: str) -> dict[str, str]:
    """The family and what to prepare (daycare and school places by the children's ages in the
    year of arrival, language courses, housing advice), in one language."""
    adults, children = params.get("adults", 1), params.get("children_ages", [])
    family = f"{_adults(adults, language)}, {_children(children, language) if children else translate('notice.no_children', language)}"
    preparations = []
    for places, ages in (("notice.daycare", params.get("daycare_ages")), ("notice.school", params.get("school_ages"))):
        if ages:
            preparations.append(f"{_counted(places, len(ages), language)} ({_children(ages, language)})")
    preparations.append(f"{translate('notice.language_training', language)} ({_adults(adults, language)})")
    preparations.append(translate("notice.housing_advice", language))
    values = {"family": family, "preparations": "; ".join(preparations)}
    if "expected_arrival_on" in params:
        values["expected_arrival"] = format_date(date.fromisoformat(params["expected_arrival_on"]), language)
    return values


def render(kind: str, params: dict) -> dict[str, str]:
    known = kind_of(kind)
    if known is None:
        return {language: kind for language in LANGUAGES}
    texts = catalogue()[f"notification.{known}.body"]
    rendered = {}
    for language in LANGUAGES:
        values = dict(params)
        if "due_on" in params:
            values["due_on"] = format_date(date.fromisoformat(params["due_on"]), language)
        for name in ("moved_on", "on"):
            if params.get(name):
                values[name] = format_date(date.fromisoformat(params[name]), language)
        if known == NotificationKind.assessment_interview_reminder:
            values["at"] = f" {params['at']}" if params.get("at") else ""
            where = "notification.remote" if params.get("remote") else None
            values["where"] = translate(where, language) if where else (params.get("place") or translate("notification.place_to_be_announced", language))
        for end in ("from", "to"):
            code = params.get(f"{end}_municipality_code")
            if code:
                municipality = municipalities.get(code)
                values[f"{end}_municipality"] = municipality.name(language) if municipality else code
        if "deadline_kind" in params:
            values["deadline"] = deadline_name(params["deadline_kind"], language)
        if known.startswith("notice_"):
            values.update(notice_values(params, language))
        text = texts.get(language, texts["en"])
        try:
            rendered[language] = text.format(**values)
        except KeyError:
            rendered[language] = text
    return rendered


def format_date(day: date, language: str) -> str:
    """20.1.2027 in Finnish and Swedish, 2027-01-20 in English."""
    return day.isoformat() if language == "en" else f"{day.day}.{day.month}.{day.year}"
