"""Every inbound event type of CONTRACT.md §1 and its effect, against the real parts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from services.intake.models import Client
from services.planning.models import ServiceReportRecord
from shared.contracts import (
    ASSESSMENT_REQUESTED,
    INBOUND_DEAD_QUEUE,
    JOBSEEKER_DEREGISTERED,
    JOBSEEKER_REGISTERED,
    RESIDENT_MOVED,
    SERVICE_REPORTED,
)
from shared.policy import add_months
from shared.clock import FINNISH_TIME, today as finnish_today
from support import (
    PRODUCER,
    dead_letters,
    event,
    eventually,
    make_settings,
    person,
    publish,
    register_source,
    registration,
    running,
    token,
    with_identity_code,
)


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    """Short retry pauses: a client not known yet is looked for again soon."""
    return make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url,
        retry_delays_seconds=[0.2, 0.2],
    )


async def registered_case(http, amqp_url, settings, data) -> dict:
    await publish(amqp_url, event(data))
    headers = token(settings, data["municipality_code"])

    async def awaiting():
        items = (await http.get("/api/v1/cases", headers=headers)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(awaiting, what="the registered case")
    return case


async def timeline(http, settings, case_id, municipality) -> list[dict]:
    return (await http.get(f"/api/v1/cases/{case_id}", headers=token(settings, municipality))).json()["timeline"]


async def test_jobseeker_registration_moves_the_lead_and_keeps_the_deadline(settings, amqp_url):
    data = registration(municipality_code="109")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, settings, data)
        await publish(amqp_url, event(
            {"person_ref": {"external_ref": data["external_ref"]}, "municipality_code": "109", "registered_on": finnish_today().isoformat()},
            type=JOBSEEKER_REGISTERED,
        ))

        async def led_by_employment_authority():
            detail = (await http.get(f"/api/v1/cases/{case['case_id']}", headers=token(settings, "109"))).json()
            # The client's lead and the case's timeline reach the projection one after the other.
            return detail if detail["client"]["lead"] == "employment_authority" and detail["timeline"][-1]["reason"] == JOBSEEKER_REGISTERED else None

        detail = await eventually(led_by_employment_authority, what="the lead to move")
        assert detail["next_deadline"] == case["next_deadline"]  # running deadlines continue
        assert detail["status"] == "awaiting_assessment"
        assert detail["timeline"][-1]["reason"] == JOBSEEKER_REGISTERED

        # Leaving job search returns the lead to the municipality; the deadline runs on.
        await publish(amqp_url, event(
            {"person_ref": {"external_ref": data["external_ref"]}, "municipality_code": "109", "deregistered_on": finnish_today().isoformat()},
            type=JOBSEEKER_DEREGISTERED,
        ))

        async def led_by_the_municipality():
            detail = (await http.get(f"/api/v1/cases/{case['case_id']}", headers=token(settings, "109"))).json()
            return detail if detail["client"]["lead"] == "municipality" and detail["timeline"][-1]["reason"] == JOBSEEKER_DEREGISTERED else None

        detail = await eventually(led_by_the_municipality, what="the lead to return")
        assert detail["next_deadline"] == case["next_deadline"]
        assert detail["timeline"][-1]["reason"] == JOBSEEKER_DEREGISTERED


async def test_a_move_carries_the_case_and_its_deadline_and_tells_both_municipalities(settings, amqp_url):
    data = with_identity_code(registration(municipality_code="109"))
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, settings, data)
        await publish(amqp_url, event(
            {
                "person_ref": {"personal_identity_code": data["person"]["personal_identity_code"]},
                "from_municipality_code": "109",
                "to_municipality_code": "905",
                "moved_on": finnish_today().isoformat(),
            },
            type=RESIDENT_MOVED,
        ))
        vaasa, hameenlinna = token(settings, "905"), token(settings, "109")

        async def in_vaasa():
            return (await http.get("/api/v1/cases", headers=vaasa)).json()["items"]

        [moved] = await eventually(in_vaasa, what="the case in the new municipality")
        assert moved["case_id"] == case["case_id"]
        assert moved["next_deadline"] == case["next_deadline"]  # not restarted
        assert moved["municipality_name"] == "Vaasa"
        assert (await http.get(f"/api/v1/cases/{case['case_id']}", headers=hameenlinna)).status_code == 404
        assert (await http.get("/api/v1/cases", headers=hameenlinna)).json()["items"] == []

        async def told(headers):
            return (await http.get("/api/v1/notifications", headers=headers)).json()

        [moved_out] = await eventually(lambda: told(hameenlinna), what="the old municipality told")
        [moved_in] = await eventually(lambda: told(vaasa), what="the new municipality told")
        assert moved_out["kind"] == "client_moved_out" and "Vaasa" in moved_out["message"]["fi"]
        assert moved_in["kind"] == "client_moved_in" and "Tavastehus" in moved_in["message"]["sv"]


async def test_a_move_from_a_municipality_the_client_does_not_live_in_is_dead_lettered(settings, amqp_url):
    data = registration(municipality_code="109")
    async with running(settings) as (runtime, http):
        await registered_case(http, amqp_url, settings, data)
        await publish(amqp_url, event(
            {"person_ref": {"external_ref": data["external_ref"]}, "from_municipality_code": "091",
             "to_municipality_code": "905", "moved_on": finnish_today().isoformat()},
            type=RESIDENT_MOVED,
        ))
        [dead] = await dead_letters(amqp_url, INBOUND_DEAD_QUEUE)
        assert dead.headers["x-kotopolku-error"] == "the client lives in municipality 109, not 091"


async def test_an_event_about_a_client_never_registered_is_retried_then_dead_lettered(settings, amqp_url):
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(
            {"person_ref": {"external_ref": "nobody"}, "municipality_code": "109", "registered_on": finnish_today().isoformat()},
            type=JOBSEEKER_REGISTERED,
        ))
        [dead] = await dead_letters(amqp_url, INBOUND_DEAD_QUEUE)
        assert dead.headers["x-kotopolku-error"] == "gave up after 3 attempts: ClientNotKnown: no client found by person_ref.external_ref"


async def test_assessment_request_for_a_new_person_opens_a_path_from_the_request(settings, amqp_url):
    async with running(settings) as (runtime, http):
        request = event(
            {"person": person(given_names="Olena", family_name="Kovalenko", nationality="UA", native_language="uk"),
             "municipality_code": "564", "requested_by": "Pohjois-Pohjanmaan hyvinvointialue", "reason": "Perheen tilanne"},
            type=ASSESSMENT_REQUESTED,
        )
        await publish(amqp_url, request)
        oulu = token(settings, "564")

        async def listed():
            items = (await http.get("/api/v1/cases", headers=oulu)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(listed, what="a path for the requested assessment")
        asked_on = request.time.astimezone(FINNISH_TIME).date()  # a Finnish calendar day
        assert case["next_deadline"] == {"kind": "assessment_start", "due_on": add_months(asked_on, 2).isoformat()}
        assert case["client"]["family_name"] == "Kovalenko"
        async with runtime.contexts["intake"].db.session() as session:
            client = (await session.exec(select(Client).where(Client.family_name == "Kovalenko"))).one()
        assert client.eligibility_reason == "requested_by_authority" and client.first_permit_or_registration_on is None


async def test_assessment_request_for_a_known_client_shows_in_the_timeline(settings, amqp_url):
    data = registration(municipality_code="109")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, settings, data)
        await publish(amqp_url, event(
            {"person_ref": {"client_id": case["client_id"]}, "municipality_code": "109",
             "requested_by": "TE-palvelut", "reason": "Asiakas pyysi"},
            type=ASSESSMENT_REQUESTED,
        ))

        async def requested():
            entries = await timeline(http, settings, case["case_id"], "109")
            return entries[-1]["reason"] == ASSESSMENT_REQUESTED

        await eventually(requested, what="the request in the timeline")
        assert len((await http.get("/api/v1/cases", headers=token(settings, "109"))).json()["items"]) == 1


async def test_service_reports_reach_planning(settings, amqp_url):
    data = registration(municipality_code="109")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, settings, data)
        await publish(amqp_url, event(
            {"person_ref": {"external_ref": data["external_ref"]}, "service_code": "integration-training",
             "status": "completed", "on": finnish_today().isoformat(), "result": {"language": "fi", "cefr": "B1.1"}},
            type=SERVICE_REPORTED,
        ))

        async def reported():
            async with runtime.contexts["planning"].db.session() as session:
                return (await session.exec(select(ServiceReportRecord))).all()

        [report] = await eventually(reported, what="the report in planning")
        assert str(report.case_id) == case["case_id"]
        assert report.result == {"language": "fi", "cefr": "B1.1"}
        assert report.reported_by == PRODUCER


async def test_a_source_may_publish_only_for_its_own_municipalities(settings, amqp_url):
    espoo_register = "urn:kotopolku:system:espoo-register"
    async with running(settings) as (runtime, http):
        await register_source(runtime, espoo_register, ["049"])
        await publish(amqp_url, event(registration(municipality_code="092"), source=espoo_register))
        await publish(amqp_url, event(registration(municipality_code="049"), source="urn:kotopolku:system:unknown"))
        await publish(amqp_url, event(registration(municipality_code="049"), source=espoo_register))
        reasons = [message.headers["x-kotopolku-error"] for message in await dead_letters(amqp_url, INBOUND_DEAD_QUEUE, wanted=2)]
        assert reasons == [
            f"source '{espoo_register}' is not registered for municipality 092",
            "source 'urn:kotopolku:system:unknown' is not registered to publish events (kotopolku sources add)",
        ]

        async def espoo_case():
            return (await http.get("/api/v1/cases", headers=token(settings, "049"))).json()["items"]

        assert len(await eventually(espoo_case, what="the allowed event")) == 1
        assert (await http.get("/api/v1/cases", headers=token(settings, "092"))).json()["items"] == []
