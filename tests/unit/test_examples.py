"""docs/examples holds one valid CloudEvent per inbound event type (CONTRACT §1): what a
municipality's IT copies to try their own messages with `kotopolku events send`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.intake.handlers import HANDLERS
from services.intake.models import (
    AssessmentRequested, JobseekerDeregistered, JobseekerRegistered, ResidentMoved, ResidentRegistered, ServiceReported,
)
from shared.contracts import (
    ASSESSMENT_REQUESTED, JOBSEEKER_DEREGISTERED, JOBSEEKER_REGISTERED, RESIDENT_MOVED, RESIDENT_REGISTERED, SERVICE_REPORTED,
)
from shared.envelope import STRUCTURED_CONTENT_TYPE, parse_amqp

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.json"))
DATA_MODELS = {
    RESIDENT_REGISTERED: ResidentRegistered,
    JOBSEEKER_REGISTERED: JobseekerRegistered,
    JOBSEEKER_DEREGISTERED: JobseekerDeregistered,
    RESIDENT_MOVED: ResidentMoved,
    ASSESSMENT_REQUESTED: AssessmentRequested,
    SERVICE_REPORTED: ServiceReported,
}


def test_there_is_one_example_of_each_inbound_event_type():
    types = [json.loads(path.read_text(encoding="utf-8"))["type"] for path in EXAMPLES]
    assert sorted(types) == sorted(HANDLERS) == sorted(DATA_MODELS)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_each_example_is_a_cloudevent_whose_data_follows_the_contract(path):
    envelope = parse_amqp(path.read_bytes(), STRUCTURED_CONTENT_TYPE, {})
    assert envelope.specversion == "1.0" and envelope.datacontenttype == "application/json"
    assert envelope.source.startswith("urn:kotopolku:system:") and envelope.id.startswith("example-")
    DATA_MODELS[envelope.type].model_validate(envelope.data)


def test_the_examples_people_are_visibly_fictitious():
    for path in EXAMPLES:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
        person = data.get("person")
        if person is not None:
            assert person["family_name"].startswith("Esimerkki")
            assert int(person["personal_identity_code"][7:10]) >= 900  # a range the population register never gives
