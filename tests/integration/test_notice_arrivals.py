"""A recruitment notice and the municipality's registration of its recruit meeting, in either order,
against real RabbitMQ, a real Temporal server, SQLite and PostgreSQL: one client, one case, one path;
unclear matches wait for staff, and an open review moves with the client."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func
from sqlmodel import select

from services.intake.models import Client, ClientCase
from services.intake.notices.workflows import RecruitmentNoticeWorkflow, notice_workflow_id
from services.intake.workflows import ClientPathWorkflow, path_workflow_id
from shared.contracts import ASSESSMENT_REQUESTED, RESIDENT_MOVED
from support import (
    MATCH_REVIEWS as REVIEWS,
    MUNICIPAL_NOTICES as MUNICIPAL,
    NOTICES,
    employer_key,
    event,
    eventually,
    notice,
    notifications,
    person,
    publish,
    refusal,
    registration,
    running,
    submitted,
    token,
)


async def case_of(http, settings, municipality: str) -> dict:
    headers = token(settings, municipality)

    async def awaiting():
        items = (await http.get("/api/v1/cases", headers=headers)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(awaiting, what="the registered case")
    return case


async def path_employment(runtime, client_id) -> dict | None:
    state = await runtime.temporal.get_workflow_handle(path_workflow_id(client_id)).query(ClientPathWorkflow.current_state)
    return state.employment.model_dump(mode="json") if state.employment else None


async def assert_converged(runtime, http, settings, employer, notice_id: str, case: dict, municipality: str) -> None:
    """One client, one case, one path; the notice arrived; the case carries the notice's information."""
    staff = token(settings, municipality)
    for_employer = await eventually(
        lambda: _status(http, f"{NOTICES}/{notice_id}", employer, "arrived"), what="the employer to see arrived"
    )
    assert set(for_employer) == {"id", "status", "created_at", "updated_at", *notice()}  # nothing about the person
    assert case["client_id"] not in json.dumps(for_employer)

    staff_view = (await http.get(f"{MUNICIPAL}/{notice_id}", headers=staff)).json()
    assert (staff_view["status"], staff_view["client_id"], staff_view["case_id"]) == ("arrived", case["client_id"], case["case_id"])
    employment = (await http.get(f"/api/v1/municipal/cases/{case['case_id']}/employment", headers=staff)).json()
    assert (employment["employer"]["name"], employment["job_title"], employment["notice_id"]) == ("Example Oy", "Welder", notice_id)
    assert employment["family"]["children_birth_years"] == notice()["family"]["children_birth_years"]
    assert (await http.get(f"/api/v1/municipal/cases/{case['case_id']}/employment", headers=token(settings, "091"))).status_code == 404

    told_path = await eventually(lambda: path_employment(runtime, case["client_id"]), what="the path to learn of the job")
    assert (told_path["notice_id"], told_path["employer_name"], told_path["job_title"]) == (notice_id, "Example Oy", "Welder")
    state = await runtime.temporal.get_workflow_handle_for(RecruitmentNoticeWorkflow.run, notice_workflow_id(notice_id)).result()
    assert (state.status, str(state.arrived_client_id)) == ("arrived", case["client_id"])
    [told] = await eventually(lambda: notifications(http, staff, "notice_arrived"), what="notice_arrived")
    assert told["case_id"] == case["case_id"]

    async with runtime.contexts["intake"].db.session() as session:
        assert (await session.exec(select(func.count()).select_from(Client))).one() == 1
        assert (await session.exec(select(func.count()).select_from(ClientCase))).one() == 1


async def _status(http, url, headers, wanted):
    body = (await http.get(url, headers=headers)).json()
    return body if body["status"] == wanted else None


async def test_notice_first_then_registration(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        created = await submitted(http, employer, notice(municipality_code="109"))
        # The register writes the names the other way round, with the diacritics.
        data = registration(municipality_code="109", person=person(given_names="An", family_name="Nguyễn Văn", birth_date="1995-02-01", nationality="VN"))
        await publish(amqp_url, event(data))
        case = await case_of(http, settings, "109")
        await assert_converged(runtime, http, settings, employer, created["id"], case, "109")


async def test_notice_first_then_an_assessment_request_from_another_authority(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        created = await submitted(http, employer, notice(municipality_code="109"))
        recruit = person(given_names="Nguyen Van", family_name="An", birth_date="1995-02-01", nationality="VN", native_language="vi")
        await publish(amqp_url, event(
            {"person": recruit, "municipality_code": "109", "requested_by": "Kanta-Hämeen hyvinvointialue", "reason": "Työperäinen muutto"},
            type=ASSESSMENT_REQUESTED,
        ))
        case = await case_of(http, settings, "109")
        await assert_converged(runtime, http, settings, employer, created["id"], case, "109")


async def test_registration_first_then_notice(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        data = registration(municipality_code="109", person=person(given_names="Nguyen Van", family_name="An", birth_date="1995-02-01", nationality="VN"))
        await publish(amqp_url, event(data))
        case = await case_of(http, settings, "109")
        created = await submitted(http, employer, notice(municipality_code="109"))
        # The employer learns nothing of who is registered, and nothing of its reaches the case,
        # until staff confirm the match.
        assert created["status"] == "received"
        staff = token(settings, "109")

        async def queued():
            return (await http.get(REVIEWS, params={"status": "open"}, headers=staff)).json()["items"]

        [review] = await eventually(queued, what="the review")
        assert (review["notice_id"], review["client_id"], review["reason"]) == (created["id"], case["client_id"], "registered_before_notice")
        assert (await http.get(f"{NOTICES}/{created['id']}", headers=employer)).json()["status"] == "received"
        assert (await http.get(f"/api/v1/municipal/cases/{case['case_id']}/employment", headers=staff)).status_code == 404
        assert await path_employment(runtime, case["client_id"]) is None

        resolved = await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "match"}, headers=staff)
        assert resolved.status_code == 200, resolved.text
        await assert_converged(runtime, http, settings, employer, created["id"], case, "109")


async def test_unclear_matches_wait_for_staff(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        created = await submitted(http, employer, notice(recruit={"given_names": "Amina", "family_name": "Hassan-Ali", "nationality": "SO", "birth_date": "1990-04-12"}))
        await publish(amqp_url, event(registration(municipality_code="905")))  # Amina Hassan, SO, 1990-04-12
        case = await case_of(http, settings, "905")
        staff = token(settings, "905")

        async def queued():
            return (await http.get(REVIEWS, params={"status": "open"}, headers=staff)).json()["items"]

        [review] = await eventually(queued, what="the review")
        assert (review["notice_id"], review["client_id"], review["case_id"]) == (created["id"], case["client_id"], case["case_id"])
        assert (review["similarity"], review["recruit"]["family_name"], review["client"]["family_name"]) == ("partial", "Hassan-Ali", "Hassan")
        assert (await http.get(f"{NOTICES}/{created['id']}", headers=employer)).json()["status"] == "received"  # no guess
        await eventually(lambda: notifications(http, staff, "notice_match_review"), what="staff told of the review")
        assert (await http.get(REVIEWS, headers=token(settings, "109"))).json()["total"] == 0
        assert (await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "match"}, headers=token(settings, "109"))).status_code == 404
        assert (await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "maybe"}, headers=staff)).status_code == 422

        resolved = await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "match"}, headers=staff)
        assert resolved.status_code == 200 and resolved.json()["status"] == "matched"
        assert resolved.json()["notice_status"] == "arrived"
        refusal(await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "reject"}, headers=staff), "review_already_resolved")
        told_path = await eventually(lambda: path_employment(runtime, case["client_id"]), what="the path to learn of the job")
        assert told_path["notice_id"] == created["id"]
        assert (await http.get(f"{NOTICES}/{created['id']}", headers=employer)).json()["status"] == "arrived"


async def test_an_open_review_moves_with_the_client(settings, amqp_url):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        await submitted(http, employer, notice(recruit={"given_names": "Amina", "family_name": "Hassan-Ali", "nationality": "SO", "birth_date": "1990-04-12"}))
        data = registration(municipality_code="905")  # Amina Hassan, SO, 1990-04-12: a partial match
        await publish(amqp_url, event(data))
        case = await case_of(http, settings, "905")
        vaasa, hameenlinna = token(settings, "905"), token(settings, "109")

        async def queued(headers):
            return (await http.get(REVIEWS, params={"status": "open"}, headers=headers)).json()["items"]

        [review] = await eventually(lambda: queued(vaasa), what="the review")
        await publish(amqp_url, event(
            {"person_ref": {"client_id": case["client_id"]}, "from_municipality_code": "905", "to_municipality_code": "109",
             "moved_on": date.today().isoformat()},
            type=RESIDENT_MOVED,
        ))
        [moved] = await eventually(lambda: queued(hameenlinna), what="the review in the new municipality")
        assert moved["id"] == review["id"]
        assert await queued(vaasa) == []
        resolve = await http.post(f"{REVIEWS}/{review['id']}/resolution", json={"decision": "reject"}, headers=vaasa)
        assert resolve.status_code == 404
