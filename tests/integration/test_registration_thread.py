"""The main thread against real RabbitMQ, a real Temporal dev server, SQLite and PostgreSQL:
a resident.registered event becomes a client, a case, a running path, a case.updated event and
a row in the dashboards' projection — visible to that municipality's staff and nobody else."""

from __future__ import annotations

import json
from datetime import date, timedelta

import aio_pika
from sqlalchemy import func
from sqlmodel import select

from services.intake.models import Client, ClientCase
from services.intake.workflows import path_workflow_id
from shared.contracts import CASE_UPDATED, EVENTS_EXCHANGE, INBOUND_DEAD_QUEUE
from shared.policy import add_months
from shared.clock import today as finnish_today
from support import (
    dead_letters,
    event,
    eventually,
    publish,
    registration,
    running,
    token,
    with_identity_code,
)


async def test_registration_reaches_staff_of_that_municipality_only(settings, amqp_url):
    registered_on = finnish_today()
    data = with_identity_code(registration(municipality_code="109", registered_on=registered_on))
    async with running(settings) as (runtime, http):
        # A dashboard's own queue on the public exchange sees the same change.
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        feed = await channel.declare_queue(exclusive=True)
        await feed.bind(EVENTS_EXCHANGE, routing_key=CASE_UPDATED)

        await publish(amqp_url, event(data))
        staff_109 = token(settings, "109")

        async def visible_case():
            items = (await http.get("/api/v1/cases", headers=staff_109)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(visible_case, what="the case in the 109 list")
        due_on = add_months(registered_on, 2).isoformat()
        assert case["stage"] == "assessment"
        assert case["next_deadline"] == {"kind": "assessment_start", "due_on": due_on}
        assert case["client"]["family_name"] == "Hassan"
        assert "personal_identity_code" not in json.dumps(case)
        assert (case["municipality_name"], case["municipality_name_sv"]) == ("Hämeenlinna", "Tavastehus")

        detail = await http.get(f"/api/v1/cases/{case['case_id']}", headers=staff_109)
        assert detail.status_code == 200
        body = detail.json()
        # Recorded and its path opened in one transaction: one change, not received and then opened.
        assert [entry["status"] for entry in body["timeline"]] == ["awaiting_assessment"]
        assert body["deadlines"] == [{"kind": "assessment_start", "due_on": due_on}]
        assert data["person"]["personal_identity_code"] not in detail.text

        # Another municipality's staff: nothing in the list, 404 for the case itself.
        staff_905 = token(settings, "905")
        assert (await http.get("/api/v1/cases", headers=staff_905)).json()["items"] == []
        assert (await http.get(f"/api/v1/cases/{case['case_id']}", headers=staff_905)).status_code == 404
        assert (await http.get("/api/v1/cases")).status_code == 401

        # The public case.updated events, exactly in the contract's shape.
        updates = []
        while (message := await feed.get(timeout=3, fail=False)) is not None:
            await message.ack()
            assert message.content_type == "application/cloudevents+json"
            updates.append(json.loads(message.body))
        assert [update["data"]["status"] for update in updates] == ["awaiting_assessment"]
        assert set(updates[0]["data"]) == {
            "case_id", "client_id", "municipality_code", "stage", "status", "next_deadline", "deadlines", "changed_at", "reason",
        }
        assert updates[0]["data"]["deadlines"] == [updates[0]["data"]["next_deadline"]]
        assert updates[0]["data"]["reason"] == "fi.kotopolku.resident.registered.v1"
        assert data["person"]["personal_identity_code"] not in json.dumps(updates)
        await connection.close()

        # The path workflow runs under the client's id.
        description = await runtime.temporal.get_workflow_handle(path_workflow_id(case["client_id"])).describe()
        assert description.status.name == "RUNNING"


async def test_same_event_twice_and_same_person_again_make_one_client(settings, amqp_url):
    data = with_identity_code(registration())
    registered = event(data)
    async with running(settings) as (runtime, http):
        await publish(amqp_url, registered)
        await publish(amqp_url, registered)  # redelivered duplicate
        await publish(amqp_url, event(data))  # republished: new event id, same person
        staff = token(settings, "109")

        async def settled():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return items if items and items[0]["status"] == "awaiting_assessment" else None

        assert len(await eventually(settled, what="one case")) == 1
        await eventually(lambda: _inbox_size(runtime, 2), what="both distinct events processed")
        async with runtime.contexts["intake"].db.session() as session:
            assert (await session.exec(select(func.count()).select_from(Client))).one() == 1
            assert (await session.exec(select(func.count()).select_from(ClientCase))).one() == 1


async def _inbox_size(runtime, wanted: int) -> bool:
    from shared.messaging import ProcessedEvent

    async with runtime.contexts["intake"].db.session() as session:
        return (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() >= wanted


async def test_binary_mode_is_accepted(settings, amqp_url):
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(municipality_code="905")), mode="binary")
        staff = token(settings, "905")

        async def listed():
            return (await http.get("/api/v1/cases", headers=staff)).json()["items"]

        [case] = await eventually(listed, what="the case from a binary-mode event")
        assert case["municipality_code"] == "905"


async def test_bad_events_are_dead_lettered_with_reason_and_the_next_good_one_still_processed(settings, amqp_url):
    bad_identity = registration()
    bad_identity["person"] = {**bad_identity["person"], "personal_identity_code": "120490-123X"}
    async with running(settings) as (runtime, http):
        await publish(amqp_url, body=b"this is not json", content_type="text/plain")
        await publish(amqp_url, event({"anything": 1}, type="fi.kotopolku.something.else.v1"))
        await publish(amqp_url, event(bad_identity))
        await publish(amqp_url, event(registration(municipality_code="999")))
        await publish(amqp_url, event(registration(municipality_code="853")))  # a good one behind them

        dead = await dead_letters(amqp_url, INBOUND_DEAD_QUEUE, wanted=4)
        reasons = [message.headers["x-kotopolku-error"] for message in dead]
        assert len(reasons) == 4, reasons
        assert "not a CloudEvent" in reasons[0]
        assert "unknown event type 'fi.kotopolku.something.else.v1'" in reasons[1]
        assert "personal_identity_code is invalid" in reasons[2]
        assert "120490-123X" not in reasons[2]  # the reason never repeats an identity code
        assert "unknown municipality code '999'" in reasons[3]
        assert dead[0].body == b"this is not json"  # kept as it came, for a person to look at

        staff = token(settings, "853")

        async def listed():
            return (await http.get("/api/v1/cases", headers=staff)).json()["items"]

        assert len(await eventually(listed, what="the good event behind the bad ones")) == 1


async def test_ineligible_resident_is_recorded_with_reason_and_no_path(settings, amqp_url):
    registered_on = finnish_today()
    data = registration(registered_on=registered_on, first_permit_or_registration_on=date(2015, 1, 1).isoformat(), residence_basis="work")
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(data))
        staff = token(settings, "109")

        async def closed():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["stage"] == "closed"]

        [case] = await eventually(closed, what="the ineligible client's closed case")
        assert case["status"] == "not_eligible"
        assert case["reason"] == "not_eligible.window_passed"
        async with runtime.contexts["intake"].db.session() as session:
            client = (await session.exec(select(Client))).one()
        assert client.eligible is False and client.eligibility_reason == "window_passed"


async def test_a_registration_whose_deadline_already_passed_is_escalated_at_once(settings, amqp_url):
    """Reported late (registered four months ago): the path escalates to the caseworker and,
    with the coordinator's grace also gone, to the coordinator — visible to both roles."""
    registered_on = finnish_today() - timedelta(days=122)
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(registered_on=registered_on)))
        caseworker, coordinator = token(settings, "109"), token(settings, "109", role="coordinator")

        async def escalated():
            items = (await http.get("/api/v1/cases", params={"overdue": "true"}, headers=caseworker)).json()["items"]
            return [item for item in items if item["status"] == "assessment_overdue"]

        [case] = await eventually(escalated, what="the escalated case")
        assert case["overdue"] is True
        assert case["reason"] == "deadline.assessment_start.missed"

        async def told(headers):
            return (await http.get("/api/v1/notifications", headers=headers)).json()

        due_on = add_months(registered_on, 2)
        [message] = await eventually(lambda: told(caseworker), what="the caseworker's notification")
        assert message["kind"] == "deadline_missed" and message["case_id"] == case["case_id"]
        assert message["message"] == {
            "fi": f"Määräaika ylittyi: alkukartoituksen aloitus piti tehdä viimeistään {due_on.day}.{due_on.month}.{due_on.year}.",
            "sv": f"Tidsfristen har gått ut: start av inledande kartläggning skulle ha skett senast {due_on.day}.{due_on.month}.{due_on.year}.",
            "en": f"Deadline missed: start of the initial assessment was due by {due_on.isoformat()}.",
        }
        [escalated] = await eventually(lambda: told(coordinator), what="the coordinator's notification")
        assert escalated["recipient_role"] == "coordinator"
        # Another municipality's coordinator is told nothing.
        assert (await http.get("/api/v1/notifications", headers=token(settings, "905", role="coordinator"))).json() == []
