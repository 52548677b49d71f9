"""The staff views against a real RabbitMQ and both databases, fed as intake feeds them (the
internal exchange): a late, older case change joins the case's timeline but never overwrites the
newer case view, and a notification request delivered twice — the same message again, or the same
request in a second message (an activity retried) — tells staff once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import aio_pika

from shared.contracts import CASE_CHANGED, INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED, service_source
from shared.envelope import Envelope
from support import eventually, running, token


async def send(amqp_url: str, *envelopes: Envelope) -> None:
    """Onto the internal exchange, as a service's outbox relay publishes."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(INTERNAL_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        for envelope in envelopes:
            message = aio_pika.Message(envelope.to_json(), content_type="application/cloudevents+json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key=envelope.type)


def case_changed(case_id, client_id, status: str, at: datetime, reason: str, municipality_code: str = "109") -> Envelope:
    data = {
        "case_id": str(case_id), "client_id": str(client_id), "municipality_code": municipality_code, "stage": "assessment", "status": status,
        "next_deadline": None, "deadlines": [], "changed_at": at.isoformat(), "reason": reason, "changed_by": "Testi",
    }
    return Envelope.new(type=CASE_CHANGED, source=service_source("intake"), data=data, subject=str(case_id))


async def test_a_late_older_case_change_never_overwrites_a_newer_case_view(settings, amqp_url):
    staff = token(settings, "109")
    case_id, client_id, now = uuid.uuid4(), uuid.uuid4(), datetime.now(timezone.utc)
    async with running(settings, ["notifications"]) as (_runtime, http):
        newer = case_changed(case_id, client_id, "assessment_in_progress", now, "assessment started")
        older = case_changed(case_id, client_id, "awaiting_assessment", now - timedelta(minutes=5), "registered")
        await send(amqp_url, newer)
        await send(amqp_url, older)  # arrives last, happened first

        async def both_on_the_timeline():
            answer = await http.get(f"/api/v1/cases/{case_id}", headers=staff)
            return answer.json() if answer.status_code == 200 and len(answer.json()["timeline"]) == 2 else None

        case = await eventually(both_on_the_timeline, what="both changes on the case's timeline")
        assert case["status"] == "assessment_in_progress" and case["reason"] == "assessment started"
        assert [entry["status"] for entry in case["timeline"]] == ["awaiting_assessment", "assessment_in_progress"]
        listed = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        assert [(item["case_id"], item["status"]) for item in listed] == [(str(case_id), "assessment_in_progress")]

        # A newer change still wins: the view is not frozen by the late one.
        latest = case_changed(case_id, client_id, "assessment_scheduled", now + timedelta(minutes=1), "scheduled")
        await send(amqp_url, latest)

        async def moved_on():
            answer = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
            return answer["status"] == "assessment_scheduled"

        await eventually(moved_on, what="the newest change on the case view")


async def test_a_notification_request_delivered_twice_tells_staff_once(settings, amqp_url):
    staff = token(settings, "109", sub="cw-once")
    request = {
        "notification_id": str(uuid.uuid4()), "kind": "deadline_missed", "municipality_code": "109", "recipient_role": "caseworker",
        "case_id": str(uuid.uuid4()), "client_id": str(uuid.uuid4()), "params": {"deadline": "assessment"},
    }
    first = Envelope.new(type=NOTIFICATION_REQUESTED, source=service_source("assessment"), data=request)
    retried = Envelope.new(type=NOTIFICATION_REQUESTED, source=service_source("assessment"), data=request)  # a new event, the same request
    marker = Envelope.new(type=NOTIFICATION_REQUESTED, source=service_source("assessment"), data={
        **request, "notification_id": str(uuid.uuid4()), "kind": "deadline_approaching", "params": {"days": 3},
    })
    async with running(settings, ["notifications"]) as (_runtime, http):
        await send(amqp_url, first, first, retried, marker)  # the marker comes last: once it is shown, the rest was handled

        async def marker_shown():
            items = (await http.get("/api/v1/notifications", headers=staff)).json()
            items = items["items"] if isinstance(items, dict) else items
            return items if any(item["kind"] == "deadline_approaching" for item in items) else None

        items = await eventually(marker_shown, what="the last notification request handled")
        assert sorted(item["kind"] for item in items) == ["deadline_approaching", "deadline_missed"]
