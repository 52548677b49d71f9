"""The gauges an operator alarms on (deploy/prometheus/alerts.yaml) say what waits: the outbox's
backlog and its oldest row's age after each relay round, and the open cases past a deadline."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from prometheus_client import REGISTRY

from services.notifications import service
from services.notifications.app import MIGRATIONS as NOTIFICATIONS_MIGRATIONS
from shared.db import Database
from sqlmodel import select

from shared.messaging import OutboxMessage, utcnow
from shared.relays import OutboxRelay
from test_cases_due_soon import change


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


async def test_the_outbox_backlog_and_its_oldest_age_are_measured_each_round(database):
    async with database.session() as session:
        for minutes in (90, 5):
            session.add(OutboxMessage(
                event_id=str(uuid.uuid4()), event_type="client.registered", exchange="kotopolku.events", routing_key="client.registered",
                ordering_key=str(uuid.uuid4()), body=b"{}", created_at=utcnow() - timedelta(minutes=minutes),
            ))
        await session.commit()
    relay = OutboxRelay(database, connection=None)  # claims and marks only: nothing is published here

    claimed = await relay.claim()
    assert gauge("kotopolku_relay_backlog", service="intake", relay="outbox relay") == 2
    assert gauge("kotopolku_relay_oldest_waiting_seconds", service="intake", relay="outbox relay") >= 90 * 60

    await relay.mark(claimed, sent=claimed)
    await relay.claim()
    assert gauge("kotopolku_relay_backlog", service="intake", relay="outbox relay") == 0
    assert gauge("kotopolku_relay_oldest_waiting_seconds", service="intake", relay="outbox relay") == 0


async def test_the_open_cases_past_a_deadline_are_counted(tmp_path):
    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(NOTIFICATIONS_MIGRATIONS)
    try:
        async with database.session() as session:
            for update in (
                change("109", "assessment", "assessment_overdue", [("assessment_start", -1)]),
                change("905", "planning", "awaiting_plan", [("plan_start", -3)]),
                change("109", "planning", "awaiting_plan", [("plan_start", 7)]),
                change("109", "closed", "employed", []),
            ):
                await service.apply_case_changed(session, update)
            await session.commit()

        measuring = asyncio.create_task(service.measure_overdue(database, interval=0.05))
        try:
            while gauge("kotopolku_cases_overdue") != 2:
                assert not measuring.done(), measuring.exception()
                await asyncio.sleep(0.05)
        finally:
            measuring.cancel()
    finally:
        await database.dispose()


async def test_a_message_to_a_client_that_cannot_be_sent_is_counted(tmp_path):
    from services.notifications.client_messages.delivery import MAX_ATTEMPTS, ClientMessageDelivery
    from services.notifications.client_messages.models import ClientMessage
    from shared.clock import now
    from shared.settings import load_settings
    from support import free_port

    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(NOTIFICATIONS_MIGRATIONS)
    # No mail server; an SMS gateway nobody answers at.
    settings = load_settings(var_dir=tmp_path, sms_gateway_url=f"http://127.0.0.1:{free_port()}/sms")
    before = {state: gauge("kotopolku_notifications_failed_total", kind="client", channel=channel, state=state) or 0
              for channel, state in (("email", "not_sent"), ("sms", "failed"))}
    try:
        async with database.session() as session:
            for channel, to, attempts in (("email", "amina@example.fi", 0), ("sms", "+358401234567", MAX_ATTEMPTS - 1)):
                session.add(ClientMessage(
                    id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", kind="interview_booked",
                    channel=channel, language="fi", to=to, text="…", attempts=attempts, next_attempt_at=now(), created_at=now(),
                ))
            await session.commit()

        assert await ClientMessageDelivery(database, settings).deliver_pending() == 2
        assert gauge("kotopolku_notifications_failed_total", kind="client", channel="email", state="not_sent") == before["not_sent"] + 1
        assert gauge("kotopolku_notifications_failed_total", kind="client", channel="sms", state="failed") == before["failed"] + 1
    finally:
        await database.dispose()


async def test_sent_rows_are_forgotten_after_their_retention_at_most_once_a_minute(database):
    async def rows() -> int:
        async with database.session() as session:
            return len((await session.exec(select(OutboxMessage))).all())

    async def one_sent_row() -> None:
        async with database.session() as session:
            session.add(OutboxMessage(
                event_id=str(uuid.uuid4()), event_type="client.registered", exchange="kotopolku.events", routing_key="client.registered",
                ordering_key=str(uuid.uuid4()), body=b"{}", created_at=utcnow() - timedelta(days=8), published_at=utcnow() - timedelta(days=8),
            ))
            await session.commit()

    relay = OutboxRelay(database, connection=None)  # retention: 7 days
    await one_sent_row()
    await relay.claim()
    assert await rows() == 0
    # The next rounds within the minute do not look again: a round costs no delete.
    await one_sent_row()
    await relay.claim()
    assert await rows() == 1
    relay._next_sweep = 0.0  # a minute later
    await relay.claim()
    assert await rows() == 0
