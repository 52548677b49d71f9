"""Messages to clients: the language chain (CONTRACT §7), the catalogue's client domain, and that
no text ever carries an identity code or the residence basis."""

from __future__ import annotations

import re

import pytest

from services.notifications.client_messages import templates
from services.notifications.client_messages.service import kind_of, sms_number
from shared.contracts import ASSESSMENT_SCHEDULED, CASE_CLOSED, PLAN_ENDED

HELSINKI, VAASA, PEDERSORE = "091", "905", "599"  # Finnish; bilingual, Finnish majority; Swedish majority


@pytest.mark.parametrize(
    ("preferred", "native", "municipality", "expected"),
    [
        (["ar", "fi"], "so", HELSINKI, ("ar", False)),  # the first preferred language with texts
        (["ti", "uk"], "ru", HELSINKI, ("uk", False)),  # one without texts is passed over
        (["ti"], "so", HELSINKI, ("so", False)),  # then the native language
        ([], "prs", HELSINKI, ("fa", False)),  # Dari reads the Persian texts
        (["ar-SY"], "ar", HELSINKI, ("ar", False)),
        (["ti"], "am", HELSINKI, ("fi", True)),  # nothing readable: Finnish, and an interpreter is needed
        ([], "ti", VAASA, ("fi", True)),  # bilingual, Finnish majority
        ([], "ti", PEDERSORE, ("sv", True)),  # Swedish majority
        ([], "ti", "999", ("fi", True)),  # an unknown municipality: Finnish
    ],
)
def test_the_language_chain(preferred, native, municipality, expected):
    assert templates.choose_language(preferred, native, municipality) == expected


def test_every_client_text_exists_in_every_language_with_the_same_placeholders():
    catalogue = templates.catalogue()
    codes = [f"client.{kind}" for kind in templates.KINDS]
    for code in [*codes, "client.subject", "client.at_time", "client.place", "client.remote", "client.interpreter"]:
        texts = catalogue[code]
        assert set(texts) == set(templates.LANGUAGES), code
        placeholders = {language: set(re.findall(r"{(\w+)}", text)) for language, text in texts.items()}
        assert len({frozenset(found) for found in placeholders.values()}) == 1, (code, placeholders)


def test_only_finnish_swedish_and_english_are_reviewed_the_drafts_are_fuzzy():
    from babel.messages.pofile import read_po

    for language in templates.LANGUAGES:
        with (templates.LOCALE_DIR / language / "LC_MESSAGES" / "client.po").open("rb") as file:
            messages = [message for message in read_po(file) if message.id]
        assert all(message.fuzzy == (language not in templates.REVIEWED) for message in messages), language


EVENTS = {
    "assessment_invited": {"on": "2030-01-10", "at": "10:30:00", "place": "Kaupungintalo", "interpreter_language": "so"},
    "assessment_rescheduled": {"on": "2030-01-17", "remote": True},
    "plan_made": {"made_on": "2030-02-01", "plan_type": "individual"},
    "measure_started": {"on": "2030-03-01", "kind": "language_training"},
    "measure_completed": {"on": "2030-06-01", "kind": "language_training"},
    "plan_reviewed": {"reviewed_on": "2030-08-01", "next_review_on": "2031-02-01"},
    "plan_ended": {"ended_on": "2032-02-01", "reason": "time_limit"},
    "case_closed": {"closed_on": "2032-02-01", "reason": "employed"},
}


@pytest.mark.parametrize("language", templates.LANGUAGES)
def test_no_text_carries_an_identity_code_the_residence_basis_or_a_reason(language):
    for kind, data in EVENTS.items():
        text = templates.render(kind, {**data, "residence_basis": "international_protection", "personal_identity_code": "120490-123A"}, HELSINKI, language)
        assert "Helsin" in text  # the municipality's name
        assert not re.search(r"\d{6}[-+A-FU-Y]\d{3}[0-9A-Z]", text)
        assert "international_protection" not in text and "employed" not in text and "time_limit" not in text


def test_the_invitation_names_date_time_place_and_interpreter():
    text = templates.render("assessment_invited", EVENTS["assessment_invited"], HELSINKI, "en")
    assert text == "Helsinki: You are invited to an initial assessment on 10.1.2030 at 10:30. Place: Kaupungintalo. An interpreter (Somali) will be there."
    assert "remote" in templates.render("assessment_rescheduled", EVENTS["assessment_rescheduled"], VAASA, "en")
    assert templates.render("plan_reviewed", EVENTS["plan_reviewed"], VAASA, "sv").startswith("Vasa:")


def test_which_events_tell_the_client():
    assert kind_of(ASSESSMENT_SCHEDULED, {"rescheduled": True}) == "assessment_rescheduled"
    assert kind_of(PLAN_ENDED, {"reason": "employed"}) is None  # the closure's message says it
    assert kind_of(CASE_CLOSED, {"reason": "not_eligible"}) is None
    assert kind_of("fi.kotopolku.deadline.passed.v1", {}) is None


def test_sms_numbers_are_international():
    assert sms_number("040 123 4567") == "+358401234567"
    assert sms_number("+358 40 1234567") == "+358401234567"
