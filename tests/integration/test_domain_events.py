"""Facts out, against real RabbitMQ, a real Temporal dev server, SQLite and PostgreSQL: one client's
path — registration, assessment, plan, a referral, the provider's report, a review, closure —
publishes exactly the expected domain events on kotopolku.events, in the order they happened,
each once, with the contract's data and no identity code."""

from __future__ import annotations

import json

import aio_pika
import pytest

from shared.clock import today
from shared.contracts import CASE_UPDATED, DOMAIN_EVENTS, EVENTS_EXCHANGE, SERVICE_REPORTED
from support import answers_200, event, eventually, make_settings, ok, publish, registration, running, token, with_identity_code

EXPECTED = [
    "fi.kotopolku.assessment.scheduled.v1",
    "fi.kotopolku.assessment.started.v1",
    "fi.kotopolku.assessment.completed.v1",
    "fi.kotopolku.plan.made.v1",
    "fi.kotopolku.measure.referred.v1",
    "fi.kotopolku.measure.started.v1",
    "fi.kotopolku.plan.reviewed.v1",
    "fi.kotopolku.plan.ended.v1",
    "fi.kotopolku.case.closed.v1",
]


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


async def test_a_clients_path_publishes_its_domain_events_in_order_each_once(settings, amqp_url):
    staff = token(settings, "109", role="caseworker", sub="cw-facts")
    data = with_identity_code(registration(municipality_code="109"))
    async with running(settings) as (runtime, http):
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        feed = await channel.declare_queue(exclusive=True)
        # One binding per family, as a subscriber of everything but case.updated would bind.
        for family in ("assessment", "plan", "measure", "deadline", "case"):
            await feed.bind(EVENTS_EXCHANGE, routing_key=f"fi.kotopolku.{family}.#")

        await publish(amqp_url, event(data))

        async def registered():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(registered, what="the registered case")
        case_id, client_id = case["case_id"], case["client_id"]
        day = today().isoformat()
        assessment = f"/api/v1/cases/{case_id}/assessment"
        await eventually(lambda: answers_200(http.get(assessment, headers=staff)), what="the assessment workflow")
        await ok(http, "POST", f"{assessment}/schedule", staff, {"on": day, "interpreter_language": "so"})
        await ok(http, "POST", f"{assessment}/start", staff, {})
        await ok(http, "POST", f"{assessment}/complete", staff, {"plan_needed": True, "plan_type": "individual"})

        plan = f"/api/v1/cases/{case_id}/plan"
        await eventually(lambda: answers_200(http.get(plan, headers=staff)), what="the plan workflow")
        made = await ok(http, "POST", plan, staff, {"type": "individual"})
        assert made["timeline"][-1]["reason"] == "plan.made: individual"
        await ok(http, "POST", f"{plan}/measures", staff, {
            "kind": "integration_training", "service_code": "HAMK-KOTO-24", "provider": "HAMK", "language": "fi",
            "hours": 600, "status": "referred",
        })
        await publish(amqp_url, event(
            {"person_ref": {"client_id": client_id}, "service_code": "HAMK-KOTO-24", "status": "started", "on": day},
            type=SERVICE_REPORTED,
        ))

        async def reported():
            detail = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
            return any(entry["reason"] == "service.started: HAMK-KOTO-24" for entry in detail["timeline"])

        await eventually(reported, what="the provider's report on the timeline")
        await ok(http, "POST", f"{plan}/reviews", staff, {"reviewed_on": day})
        await ok(http, "POST", f"/api/v1/cases/{case_id}/closure", staff, {"reason": "employed"})

        received = []

        async def drained_to_closure():
            while (message := await feed.get(fail=False)) is not None:
                await message.ack()
                assert message.content_type == "application/cloudevents+json"
                received.append(json.loads(message.body))
            return any(e["type"] == "fi.kotopolku.case.closed.v1" for e in received)

        await eventually(drained_to_closure, what="the case.closed event")
        # The path has ended (the closure answered): nothing of this case is still on its way.
        await drained_to_closure()
        await connection.close()

    # The case family holds the case.updated feed too; the domain events are the others.
    assert CASE_UPDATED in {e["type"] for e in received}
    mine = [e for e in received if e["data"]["case_id"] == case_id and e["type"] != CASE_UPDATED]
    assert [e["type"] for e in mine] == EXPECTED
    assert len({e["id"] for e in mine}) == len(mine)  # each once
    for e in mine:
        assert e["type"] in DOMAIN_EVENTS
        assert (e["data"]["client_id"], e["data"]["municipality_code"], e["subject"]) == (client_id, "109", case_id)
        assert data["person"]["personal_identity_code"] not in json.dumps(e)
        assert data["person"]["family_name"] not in json.dumps(e)
    by_type = {e["type"]: e["data"] for e in mine}
    ids = {"case_id", "client_id", "municipality_code"}
    # The three of CONTRACT §3, exactly.
    assert by_type["fi.kotopolku.assessment.completed.v1"] == {
        "case_id": case_id, "client_id": client_id, "municipality_code": "109", "completed_on": day, "plan_needed": True}
    assert set(by_type["fi.kotopolku.plan.made.v1"]) == ids | {"plan_type", "made_on"}
    assert by_type["fi.kotopolku.plan.made.v1"]["plan_type"] == "individual"
    assert {k: by_type["fi.kotopolku.case.closed.v1"][k] for k in ("reason", "closed_on")} == {"reason": "employed", "closed_on": day}
    # What the provider needs to start, and the loop closed.
    referred = by_type["fi.kotopolku.measure.referred.v1"]
    assert (referred["service_code"], referred["language"], referred["provider"], referred["referred_on"]) == ("HAMK-KOTO-24", "fi", "HAMK", day)
    assert referred["contact"] == {"name": "Testi Käyttäjä"}
    assert (referred["interpreter_needed"], referred["interpreter_language"]) == (True, "so")  # booked for the assessment
    started = by_type["fi.kotopolku.measure.started.v1"]
    assert (started["measure_id"], started["days_from_referral"]) == (referred["measure_id"], 0)
    assert by_type["fi.kotopolku.assessment.scheduled.v1"]["interpreter_language"] == "so"
