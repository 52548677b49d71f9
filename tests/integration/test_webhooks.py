"""Webhooks delivered to a real local HTTP receiver, which verifies every signature with the
`standardwebhooks` package: retries after a 500 and across a stop and start of Kotopolku, each
event acknowledged once by `webhook-id`, a case's events in order, another municipality's events
never sent, and a subscription disabled (its admins told) after failing too long, then replayed.
On the real RabbitMQ and both databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone

import aio_pika
from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook

from services.notifications.webhooks.models import WebhookSubscription
from shared.contracts import CASE_UPDATED, EVENTS_EXCHANGE
from shared.envelope import STRUCTURED_CONTENT_TYPE, Envelope
from support import eventually, free_port, running, serving, token

INTAKE = "urn:kotopolku:service:intake"


class Receiver:
    """A case system's endpoint: answers `status` (500 while failing), checks each signature,
    and keeps what it acknowledged by `webhook-id`, as a receiver deduplicating them would."""

    def __init__(self) -> None:
        self.status = 200
        self.secret: str | None = None
        self.attempts: list[dict] = []  # every request: webhook-id, its event, the answer given
        self.acknowledged: list[tuple[str, dict]] = []  # (webhook-id, event), in arrival order
        self.app = FastAPI()
        self.app.post("/hook")(self.receive)

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        assert request.headers["content-type"] == "application/cloudevents+json"
        Webhook(self.secret).verify(body, dict(request.headers))  # raises on a bad signature: the test sees a 500
        event = json.loads(body)
        webhook_id = request.headers["webhook-id"]
        self.attempts.append({"webhook_id": webhook_id, "event": event, "status": self.status})
        if 200 <= self.status < 300:
            self.acknowledged.append((webhook_id, event))
        return Response(status_code=self.status)

    def attempts_of(self, event_id: str) -> list[dict]:
        return [attempt for attempt in self.attempts if attempt["event"]["id"] == event_id]


def case_updated(case_id: uuid.UUID, municipality_code: str, status: str, *, type: str = CASE_UPDATED) -> Envelope:
    data = {
        # One client per case, as intake publishes them: the consumer's lanes keep a client's events in order.
        "case_id": str(case_id), "client_id": str(uuid.uuid5(case_id, "client")), "municipality_code": municipality_code,
        "stage": "assessment", "status": status, "next_deadline": None, "deadlines": [],
        "changed_at": datetime.now(timezone.utc).isoformat(), "reason": "fi.kotopolku.resident.registered.v1",
    }
    return Envelope.new(type=type, source=INTAKE, data=data, subject=str(case_id))


async def publish_events(amqp_url: str, *events: Envelope) -> None:
    """As intake's outbox relay publishes them: structured CloudEvents on kotopolku.events."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for event in events:
            message = aio_pika.Message(event.to_json(), content_type=STRUCTURED_CONTENT_TYPE, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await exchange.publish(message, routing_key=event.type)


async def subscribe(http, settings, receiver: Receiver, url: str, event_types=(CASE_UPDATED,), municipalities=("109",)) -> str:
    admin = token(settings, "109", "905", role="admin", sub="admin-109")
    response = await http.post(
        "/api/v1/webhooks", headers=admin,
        json={"url": url, "event_types": list(event_types), "municipalities": list(municipalities)},
    )
    assert response.status_code == 201, response.text
    receiver.secret = response.json()["secret"]
    return response.json()["id"]


async def test_retries_after_a_500_and_across_a_restart_deliver_each_event_once_and_in_order(settings, monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_FIRST_RETRY_SECONDS", "0.2")
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_MAX_RETRY_SECONDS", "0.5")
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_TIMEOUT_SECONDS", "5")
    receiver = Receiver()
    receiver.status = 500
    case_id, other_case = uuid.uuid4(), uuid.uuid4()
    ours = [case_updated(case_id, "109", status) for status in ("awaiting_assessment", "assessment_scheduled", "assessment_in_progress")]
    vaasa = case_updated(other_case, "905", "awaiting_assessment")  # the subscription is for 109 only
    unwanted = case_updated(case_id, "109", "x", type="fi.kotopolku.plan.made.v1")  # a type it did not ask for
    async with serving(receiver.app, free_port()) as base:
        async with running(settings, ["notifications"]) as (runtime, http):
            await subscribe(http, settings, receiver, f"{base}/hook")
            await publish_events(settings.amqp_url, ours[0], vaasa, unwanted, ours[1], ours[2])

            async def retried():
                return len(receiver.attempts_of(ours[0].id)) >= 3

            await eventually(retried, what="the first event to be retried after 500s")
        # Kotopolku is stopped while the receiver still fails; nothing was acknowledged yet.
        assert receiver.acknowledged == []
        receiver.status = 200
        async with running(settings, ["notifications"]) as (runtime, http):

            async def all_acknowledged():
                return len(receiver.acknowledged) >= 3

            await eventually(all_acknowledged, what="the three events of case 109 to be acknowledged")
            await asyncio.sleep(0)
            subscription_id = (await http.get("/api/v1/webhooks", headers=token(settings, "109", "905", role="admin"))).json()[0]["id"]
            log = (await http.get(f"/api/v1/webhooks/{subscription_id}/deliveries", headers=token(settings, "109", "905", role="admin"))).json()
            figures = (await http.get("/metrics")).text

    # Each event acknowledged once, in the order the case's changes happened.
    assert [event["id"] for _webhook_id, event in receiver.acknowledged] == [event.id for event in ours]
    webhook_ids = [webhook_id for webhook_id, _event in receiver.acknowledged]
    assert len(set(webhook_ids)) == 3
    # The body is the structured CloudEvent as published.
    assert receiver.acknowledged[0][1] == json.loads(ours[0].to_json())
    # Every attempt at the first event carried the same webhook-id, before and after the restart.
    first_attempts = receiver.attempts_of(ours[0].id)
    assert {attempt["webhook_id"] for attempt in first_attempts} == {webhook_ids[0]}
    assert [attempt["status"] for attempt in first_attempts][-1] == 200 and 500 in [a["status"] for a in first_attempts]
    # A later event of the case never went out before the first one was acknowledged.
    first_ok = next(index for index, attempt in enumerate(receiver.attempts) if attempt["event"]["id"] == ours[0].id and attempt["status"] == 200)
    assert all(attempt["event"]["id"] == ours[0].id for attempt in receiver.attempts[:first_ok])
    # Never another municipality's event, never a type not asked for.
    assert {attempt["event"]["id"] for attempt in receiver.attempts} == {event.id for event in ours}
    # The delivery log tells the same.
    assert log["total"] == 3 and all(item["state"] == "delivered" for item in log["items"])
    assert {item["webhook_id"] for item in log["items"]} == set(webhook_ids)
    # The first event: 500s, then the 200 (an attempt cut short by the stop is not counted).
    assert log["items"][-1]["attempts"] >= 2 and log["items"][-1]["last_status"] == 200
    # Deliveries sent, attempts failed, and how long the oldest waits, for the operator's graphs.
    sent = figure(figures, "kotopolku_webhook_deliveries_sent_total")
    failed = figure(figures, "kotopolku_webhook_deliveries_failed_total")
    assert sent >= 3 and failed >= 3 and figure(figures, "kotopolku_webhook_oldest_pending_seconds") >= 0


def figure(text: str, name: str) -> float:
    return next(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))


async def test_a_receiver_failing_too_long_is_disabled_its_admins_told_and_a_replay_delivers(settings, monkeypatch):
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_FIRST_RETRY_SECONDS", "0.2")
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_MAX_RETRY_SECONDS", "0.3")
    monkeypatch.setenv("KOTOPOLKU_WEBHOOK_DISABLE_AFTER_SECONDS", "1.5")
    receiver = Receiver()
    receiver.status = 503
    event = case_updated(uuid.uuid4(), "109", "awaiting_assessment")
    admin = token(settings, "109", role="admin", sub="admin-109")
    async with serving(receiver.app, free_port()) as base:
        async with running(settings, ["notifications"]) as (runtime, http):
            subscription_id = await subscribe(http, settings, receiver, f"{base}/hook")
            await publish_events(settings.amqp_url, event)

            async def disabled():
                async with runtime.contexts["notifications"].db.session() as session:
                    subscription = await session.get(WebhookSubscription, uuid.UUID(subscription_id))
                    return subscription is not None and not subscription.enabled

            await eventually(disabled, what="the subscription to be disabled")
            listed = (await http.get("/api/v1/webhooks", headers=admin)).json()
            assert listed[0]["enabled"] is False and listed[0]["disabled_at"]
            told = (await http.get("/api/v1/notifications", headers=admin)).json()
            disabled_notice = [item for item in told if item["kind"] == "webhook_disabled"]
            assert len(disabled_notice) == 1
            assert f"{base}/hook" in disabled_notice[0]["message"]["fi"]
            assert "disabled" in disabled_notice[0]["message"]["en"] and "stängts av" in disabled_notice[0]["message"]["sv"]
            assert receiver.acknowledged == []

            receiver.status = 204
            replayed = await http.post(f"/api/v1/webhooks/{subscription_id}/replay", headers=admin, json={})
            assert replayed.status_code == 200 and replayed.json() == {"replayed": 1}

            async def delivered():
                return receiver.acknowledged

            await eventually(delivered, what="the replayed delivery")
            assert (await http.get("/api/v1/webhooks", headers=admin)).json()[0]["enabled"] is True
    assert [acknowledged["id"] for _webhook_id, acknowledged in receiver.acknowledged] == [event.id]


async def test_during_a_rotation_deliveries_verify_with_the_old_secret_and_the_new(settings):
    receiver = Receiver()
    events = [case_updated(uuid.uuid4(), "109", "awaiting_assessment") for _ in range(2)]
    admin = token(settings, "109", role="admin", sub="admin-109")
    async with serving(receiver.app, free_port()) as base:
        async with running(settings, ["notifications"]) as (runtime, http):
            subscription_id = await subscribe(http, settings, receiver, f"{base}/hook")
            old_secret = receiver.secret
            rotated = await http.post(f"/api/v1/webhooks/{subscription_id}/secret", headers=admin)
            assert rotated.status_code == 200
            new_secret = rotated.json()["secret"]
            assert new_secret.startswith("whsec_") and new_secret != old_secret
            receiver.secret = old_secret  # a receiver that has not switched yet
            await publish_events(settings.amqp_url, events[0])
            await eventually(lambda: _count(receiver, 1), what="a delivery verified with the old secret")
            receiver.secret = new_secret  # and one that has
            await publish_events(settings.amqp_url, events[1])
            await eventually(lambda: _count(receiver, 2), what="a delivery verified with the new secret")


async def _count(receiver: Receiver, wanted: int) -> bool:
    return len(receiver.acknowledged) >= wanted


async def test_the_command_line_creates_lists_rotates_replays_and_deletes(settings, database_url):
    import os
    import sys
    from pathlib import Path

    env = {**os.environ, "KOTOPOLKU_VAR_DIR": str(settings.var_dir)}
    if database_url:
        env["KOTOPOLKU_DATABASE_URL"] = database_url

    async def kotopolku(*args: str) -> tuple[int, list[str], str]:
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).with_name("kotopolku")), "webhooks", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await process.communicate()
        return process.returncode, out.decode().strip().splitlines(), err.decode()

    receiver = Receiver()
    event = case_updated(uuid.uuid4(), "109", "awaiting_assessment")
    async with serving(receiver.app, free_port()) as base:
        async with running(settings, ["notifications"]) as (_runtime, http):
            code, _, error = await kotopolku("create", "--url", "https://10.0.0.1/hook", "--event-type", CASE_UPDATED, "--municipality", "109")
            assert code != 0 and "--url resolves to 10.0.0.1" in error
            code, lines, _ = await kotopolku("create", "--url", f"{base}/hook", "--event-type", CASE_UPDATED, "--municipality", "109")
            assert code == 0 and lines[-1].startswith("whsec_")
            receiver.secret = lines[-1]
            subscription_id = lines[0].split()[1]

            await publish_events(settings.amqp_url, event)
            await eventually(lambda: _count(receiver, 1), what="the delivery to the subscription made on the command line")

            code, lines, _ = await kotopolku("list")
            assert code == 0 and lines == [f"{subscription_id}\tenabled\t{base}/hook\t109\t{CASE_UPDATED}"]
            code, lines, _ = await kotopolku("deliveries", subscription_id)
            assert code == 0 and lines[-1] == "1 deliveries" and "\tdelivered\t1\t200" in lines[0]

            code, lines, _ = await kotopolku("rotate", subscription_id)
            assert code == 0 and lines[-1].startswith("whsec_") and lines[-1] != receiver.secret
            receiver.secret = lines[-1]
            code, lines, _ = await kotopolku("replay", subscription_id, "--since", "2000-01-01")
            assert code == 0 and lines == ["1 deliveries will be sent again"]
            await eventually(lambda: _count(receiver, 2), what="the replayed delivery")
            # A replay keeps the webhook-id: a receiver that has it already knows it is the same.
            assert receiver.acknowledged[0][0] == receiver.acknowledged[1][0]

            code, _, _ = await kotopolku("delete", subscription_id)
            assert code == 0
            code, _, error = await kotopolku("rotate", subscription_id)
            assert code != 0 and "no webhook subscription" in error


async def test_a_registration_reaches_the_subscribed_case_system_as_kotopolku_published_it(settings):
    """The whole way: a municipal registration, intake's case.updated on kotopolku.events through
    its outbox, the webhook to the receiver."""
    from support import event as inbound_event, person, publish, registration

    receiver = Receiver()
    async with serving(receiver.app, free_port()) as base:
        async with running(settings) as (_runtime, http):
            await subscribe(http, settings, receiver, f"{base}/hook")
            await publish(settings.amqp_url, inbound_event(registration(municipality_code="109")))
            other = person(given_names="Li", family_name="Wei", birth_date="1985-03-01", nationality="CN", native_language="zh")
            await publish(settings.amqp_url, inbound_event(registration(municipality_code="905", person=other)))
            await eventually(lambda: _count(receiver, 1), timeout=60, what="the case.updated of the registration in 109")
            cases = (await http.get("/api/v1/cases", headers=token(settings, "109"))).json()["items"]
    webhook_id, delivered = receiver.acknowledged[0]
    assert delivered["type"] == CASE_UPDATED and delivered["source"] == INTAKE
    assert delivered["data"]["municipality_code"] == "109" and delivered["data"]["case_id"] == cases[0]["case_id"]
    assert all(event["data"]["municipality_code"] == "109" for _id, event in receiver.acknowledged)
