"""Jobseekers' assessments, plans, measures and closures are handed to the employment authority as
events (issue 16), against real RabbitMQ, a real Temporal dev server, SQLite and PostgreSQL: for a
client the authority leads, each assessment.completed / plan.made / measure.referred /
plan.reviewed / plan.ended / case.closed is followed by its `fi.kotopolku.jobseeker.` event with the
same data and no personal data beyond the case's ids; a client the municipality leads gets none.
A correction of the assessment, which the assessment service publishes, is handed over by intake
from its own queue: once, a moment later, wherever it falls among the others."""

from __future__ import annotations

import json

import aio_pika
import pytest

from shared.clock import today
from shared.contracts import EMPLOYMENT_AUTHORITY_EVENTS, EVENTS_EXCHANGE, HANDED_TO_EMPLOYMENT_AUTHORITY
from support import answers_200, event, eventually, make_settings, ok, publish, registration, running, token, with_identity_code

HANDED = [
    "fi.kotopolku.jobseeker.assessment.completed.v1",
    "fi.kotopolku.jobseeker.plan.made.v1",
    "fi.kotopolku.jobseeker.measure.referred.v1",
    "fi.kotopolku.jobseeker.plan.reviewed.v1",
    "fi.kotopolku.jobseeker.plan.ended.v1",
    "fi.kotopolku.jobseeker.case.closed.v1",
]
CORRECTED = "fi.kotopolku.jobseeker.assessment.corrected.v1"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


async def walk_the_path(http, staff, family_name: str) -> str:
    """Assessment, a plan with a referred measure, a review and closure of the client's case; its case id."""
    async def registered():
        items = (await http.get("/api/v1/cases", params={"q": family_name}, headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(registered, what=f"the case of {family_name} awaiting its assessment")
    case_id, day = case["case_id"], today().isoformat()
    assessment = f"/api/v1/cases/{case_id}/assessment"
    await eventually(lambda: answers_200(http.get(assessment, headers=staff)), what="the assessment workflow")
    await ok(http, "POST", f"{assessment}/start", staff, {})
    await ok(http, "POST", f"{assessment}/complete", staff, {"plan_needed": True, "plan_type": "individual"})
    await ok(http, "POST", f"{assessment}/corrections", staff, {"reason": "Lukutaito tarkistettu", "literacy": "literate"})
    plan = f"/api/v1/cases/{case_id}/plan"
    await eventually(lambda: answers_200(http.get(plan, headers=staff)), what="the plan workflow")
    await ok(http, "POST", plan, staff, {"type": "individual", "measures": [{"kind": "other", "status": "referred"}]})
    await ok(http, "POST", f"{plan}/reviews", staff, {"reviewed_on": day})
    await ok(http, "POST", f"/api/v1/cases/{case_id}/closure", staff, {"reason": "employed"})
    return case_id


async def test_a_jobseekers_assessment_and_plan_are_handed_to_the_employment_authority(settings, amqp_url):
    staff = token(settings, "109", role="caseworker", sub="cw-handover")
    jobseeker = with_identity_code(registration(municipality_code="109", jobseeker=True))
    jobseeker["person"]["family_name"] = "Työnhakija"
    resident = registration(municipality_code="109")
    resident["person"]["family_name"] = "Kuntalainen"
    async with running(settings) as (_runtime, http):
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        authority = await channel.declare_queue(exclusive=True)  # as the employment authority binds
        await authority.bind(EVENTS_EXCHANGE, routing_key="fi.kotopolku.jobseeker.#")
        domain = await channel.declare_queue(exclusive=True)
        for event_type in HANDED_TO_EMPLOYMENT_AUTHORITY:
            await domain.bind(EVENTS_EXCHANGE, routing_key=event_type)

        await publish(amqp_url, event(jobseeker))
        await publish(amqp_url, event(resident))
        jobseeker_case = await walk_the_path(http, staff, "Työnhakija")
        resident_case = await walk_the_path(http, staff, "Kuntalainen")

        async def drained(queue, received: list, until: int):
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                received.append(json.loads(message.body))
            return len(received) >= until

        handed, published = [], []
        await eventually(lambda: drained(authority, handed, len(HANDED) + 1), what="the hand-over events")
        await eventually(lambda: drained(domain, published, 2 * (len(HANDED) + 1)), what="both clients' domain events")
        await drained(authority, handed, 0)  # anything more would show now
        await connection.close()

    # Only the jobseeker's, in the order they happened, each once, each with its domain event's data.
    assert [e["type"] for e in handed if e["type"] != CORRECTED] == HANDED
    assert [e["type"] for e in handed].count(CORRECTED) == 1
    assert {e["data"]["case_id"] for e in handed} == {jobseeker_case}
    assert len({e["id"] for e in handed}) == len(handed)
    domain_of_jobseeker = {e["type"]: e["data"] for e in published if e["data"]["case_id"] == jobseeker_case}
    for e in handed:
        assert e["type"] in EMPLOYMENT_AUTHORITY_EVENTS and e["subject"] == jobseeker_case
        original = next(domain for domain, mine in HANDED_TO_EMPLOYMENT_AUTHORITY.items() if mine == e["type"])
        assert e["data"] == domain_of_jobseeker[original]
        body = json.dumps(e)
        assert jobseeker["person"]["personal_identity_code"] not in body and "Työnhakija" not in body
    assert {e["data"]["case_id"] for e in published} == {jobseeker_case, resident_case}  # the domain events are everyone's
