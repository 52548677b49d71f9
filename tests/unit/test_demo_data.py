"""The demo's example people (services/demo_people.py): enough of them, everywhere on the path, in the
ways Kotopolku takes them in, and visibly fictitious."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from services.demo import CLIENTS, EMPLOYER_BUSINESS_ID, MUNICIPALITIES, SERVICE_MAP, STEPS, TARGET_STATUS, notice_body
from services.intake.identity import validate_business_id, validate_identity_code
from services.intake.models import ResidentRegistered
from services.intake.notices.models import NoticeCreate
from shared.clock import today

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def test_at_least_twenty_clients_ten_of_them_in_hameenlinna_at_every_target():
    assert len(CLIENTS) >= 20
    assert sum(client.municipality == "109" and not client.moves_to for client in CLIENTS) >= 10
    assert {client.municipality for client in CLIENTS} == set(MUNICIPALITIES)
    assert {client.target for client in CLIENTS} == set(STEPS) == set(TARGET_STATUS)
    assert len({client.basis for client in CLIENTS}) >= 5 and len({client.native_language for client in CLIENTS}) >= 8
    assert any(client.moves_to for client in CLIENTS) and any(client.household for client in CLIENTS)
    assert {client.closure for client in CLIENTS if client.target == "closed"} >= {"employed", "studying"}


def test_each_registration_is_valid_and_its_person_fictitious():
    keys = Counter((client.given_names, client.family_name, client.birth_date) for client in CLIENTS)
    assert max(keys.values()) == 1  # no two alike: none is put before staff as a possible duplicate
    for client in CLIENTS:
        data = ResidentRegistered.model_validate(client.registration(today())).person
        assert data.family_name.startswith("Esimerkki-")
        code = data.personal_identity_code
        assert validate_identity_code(code).birth_date == client.birth_date and 900 < int(code[7:10]) < 950


def test_the_demo_people_are_not_the_examples_people():
    examples = [json.loads(path.read_text(encoding="utf-8"))["data"].get("person") for path in EXAMPLES.glob("*.json")]
    names = {(person["given_names"], person["birth_date"]) for person in examples if person}
    assert names and not names & {(client.given_names, client.birth_date.isoformat()) for client in CLIENTS}


def test_the_employer_and_its_notice_are_valid_and_the_measures_come_from_the_example_service_map():
    validate_business_id(EMPLOYER_BUSINESS_ID)
    NoticeCreate.model_validate(notice_body(today()))
    codes = {item["service_code"] for item in json.loads(SERVICE_MAP.read_text(encoding="utf-8"))}
    assert {measure.service_code for client in CLIENTS for measure in client.measures} <= codes
    assert all(client.measures for client in CLIENTS if "plan" in STEPS[client.target])
