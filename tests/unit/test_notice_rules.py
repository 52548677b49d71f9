"""Recruitment notices without the outside world: what a body may say, the status table, what to
prepare for the family, employer keys and the notification texts in three languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from services.intake.employers import service as employers
from services.intake.notices import service
from services.intake.notices.models import NoticeCreate, NoticeStatus
from services.intake.notices.state import NOTICE_TRANSITIONS
from shared.clock import today as finnish_today
from services.notifications.templates import render
from shared.clock import today as finnish_today
from support import notice


def bad_fields(body: dict) -> set[str]:
    with pytest.raises(ValidationError) as raised:
        NoticeCreate.model_validate(body)
    return {".".join(str(part) for part in error["loc"]) for error in raised.value.errors()}


def test_the_contracts_example_shape_is_accepted():
    parsed = NoticeCreate.model_validate(notice())
    assert parsed.recruit.nationality == "VN" and parsed.family.children_birth_years


def test_family_may_be_left_out_and_means_one_adult_without_children():
    body = notice()
    del body["family"]
    parsed = NoticeCreate.model_validate(body)
    assert (parsed.family.adults, parsed.family.children_birth_years) == (1, [])


def test_every_bad_field_is_named_at_once():
    today = finnish_today()
    body = notice(
        recruit={"nationality": "XX", "languages": ["vi", "zz"], "birth_date": (today + timedelta(days=1)).isoformat(), "email": "nope"},
        employment={"workplace_municipality_code": "999", "job_title": ""},
        expected_arrival_on=(today - timedelta(days=1)).isoformat(),
        destination_municipality_code="000",
        consent={"given": False, "given_on": (today + timedelta(days=3)).isoformat()},
        contact={"email": "hr-at-example.com"},
        extra="not allowed",
    )
    assert bad_fields(body) == {
        "recruit.nationality",
        "recruit.languages.1",
        "recruit.birth_date",
        "recruit.email",
        "employment.workplace_municipality_code",
        "employment.job_title",
        "expected_arrival_on",
        "destination_municipality_code",
        "consent.given",
        "consent.given_on",
        "contact.email",
        "extra",
    }


def test_dates_across_fields_are_reported_at_the_field_that_is_wrong():
    arrival = finnish_today() + timedelta(days=30)
    body = notice(
        arrival=arrival,
        employment={"start_date": (arrival - timedelta(days=90)).isoformat()},
        family={"children_birth_years": [arrival.year - 5, arrival.year + 1, arrival.year - 30]},
    )
    assert bad_fields(body) == {"employment.start_date", "family.children_birth_years.1", "family.children_birth_years.2"}


@pytest.mark.parametrize(
    "change, field",
    [
        ({"expected_arrival_on": (finnish_today() + timedelta(days=1000)).isoformat()}, "expected_arrival_on"),
        ({"recruit": {"birth_date": (finnish_today() - timedelta(days=365 * 10)).isoformat()}}, "recruit.birth_date"),
        ({"recruit": {"birth_date": "1900-01-01"}}, "recruit.birth_date"),
        ({"recruit": {"given_names": "Nguyen\u0000"}}, "recruit.given_names"),
        ({"recruit": {"family_name": "\ud800"}}, "recruit.family_name"),
        ({"recruit": {"languages": ["VI"]}}, "recruit.languages.0"),
        ({"consent": {"given": "yes"}}, "consent.given"),
        ({"consent": {"given_on": "2001-01-01"}}, "consent.given_on"),
        ({"family": {"adults": 0}}, "family.adults"),
        ({"family": {"children_birth_years": [10**30]}}, "family.children_birth_years.0"),
        ({"contact": {"phone": "call me"}}, "contact.phone"),
    ],
)
def test_dates_and_codes_that_make_no_sense_are_refused(change, field):
    assert bad_fields(notice(**change)) == {field}


def test_iso_639_3_languages_and_kosovo_are_accepted():
    parsed = NoticeCreate.model_validate(notice(recruit={"languages": ["prs", "so"], "nationality": "XK"}))
    assert parsed.recruit.languages == ["prs", "so"]


STATUSES = list(NoticeStatus)


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_the_status_table(current, target):
    allowed = {
        ("received", "acknowledged"), ("received", "arrived"), ("acknowledged", "arrived"),
        ("received", "expired"), ("acknowledged", "expired"), ("received", "withdrawn"), ("acknowledged", "withdrawn"),
    }
    assert ((current, target) in NOTICE_TRANSITIONS) == ((current.value, target.value) in allowed)


def test_what_to_prepare_follows_the_childrens_ages_in_the_year_of_arrival():
    arrival = date(2027, 2, 15)
    family = {"adults": 2, "children_birth_years": [2021, 2020, 2019, 2010, 2026]}
    assert service.children_ages(arrival, family["children_birth_years"]) == [17, 8, 7, 6, 1]
    preparations = service.preparations_for(arrival, family)
    assert preparations.daycare_ages == [6, 1]  # under 7: early childhood education
    assert preparations.school_ages == [17, 8, 7]  # school starts the year a child turns 7
    assert preparations.adults == 2 and preparations.housing_advice


def test_api_keys_are_random_and_only_their_hash_is_compared():
    first, second = employers.new_api_key(), employers.new_api_key()
    assert first != second and first.startswith("kp_") and len(first) > 40
    assert employers.api_key_hash(first) == employers.api_key_hash(first) != employers.api_key_hash(second)
    assert first not in employers.api_key_hash(first)


@pytest.mark.parametrize("business_id", ["0112038-8", "123", "0112038 9", ""])
async def test_bad_business_ids_are_refused_with_the_reason(business_id):
    with pytest.raises(employers.EmployerError, match="business id"):
        await employers.create_employer(None, business_id=business_id, name="Example Oy")


NOTICE_PARAMS = {
    "employer": "Example Oy",
    "job_title": "Welder",
    "recruit": "Nguyen Van An",
    "expected_arrival_on": "2027-02-15",
    "adults": 2,
    "children_ages": [8, 5, 2],
    "daycare_ages": [5, 2],
    "school_ages": [8],
    "grace_days": 60,
}


def test_the_reminder_lists_what_to_prepare_with_the_childrens_ages_in_three_languages():
    assert render("notice_reminder", NOTICE_PARAMS) == {
        "fi": "Muistutus: Nguyen Van An (Example Oy) saapuu 15.2.2027. Valmistele: varhaiskasvatuspaikat (lapset 5 ja 2 v); "
        "koulupaikka (lapsi 8 v); kielikoulutus ja yhteiskuntaorientaatio (2 aikuista); asumisneuvonta.",
        "sv": "Påminnelse: Nguyen Van An (Example Oy) anländer 15.2.2027. Förbered: platser i småbarnspedagogiken (barn 5 och 2 år); "
        "skolplats (barn 8 år); språkutbildning och samhällsorientering (2 vuxna); boenderådgivning.",
        "en": "Reminder: Nguyen Van An (Example Oy) arrives on 2027-02-15. Prepare: early childhood education places (children aged 5 and 2); "
        "school place (child aged 8); language training and civic orientation (2 adults); housing advice.",
    }


@pytest.mark.parametrize("kind", ["notice_received", "notice_reminder", "notice_expired", "notice_arrived", "notice_match_review"])
def test_every_notice_notification_is_written_out_in_finnish_swedish_and_english(kind):
    texts = render(kind, {**NOTICE_PARAMS, "count": 1})
    assert set(texts) == {"fi", "sv", "en"}
    for language, text in texts.items():
        assert "{" not in text and text != kind, (language, text)
    if kind != "notice_match_review":
        assert all("Nguyen Van An" in text for text in texts.values())


def test_a_family_without_children_says_so():
    texts = render("notice_received", {**NOTICE_PARAMS, "adults": 1, "children_ages": [], "daycare_ages": [], "school_ages": []})
    assert texts["fi"].endswith("Perhe: 1 aikuinen, ei lapsia.")
    assert texts["sv"].endswith("Familj: 1 vuxen, inga barn.")
    assert texts["en"].endswith("Family: 1 adult, no children.")
