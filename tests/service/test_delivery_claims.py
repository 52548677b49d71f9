"""With two notifications processes (the shipped Kubernetes manifests run two), both delivery
loops look at the same table: each mail to staff and each message to a client must leave once.
A loop claims what it sends; here two loops run one round each at the same time, on SQLite and
PostgreSQL, with a slow send so that their rounds overlap."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest_asyncio
from sqlmodel import select

from services.notifications import mail
from services.notifications.app import MIGRATIONS
from services.notifications.client_messages.delivery import ClientMessageDelivery
from services.notifications.client_messages.models import ClientMessage
from services.notifications.models import Notification
from shared.clock import now
from shared.db import Database
from shared.settings import load_settings


@pytest_asyncio.fixture
async def notifications(tmp_path, database_url):
    database = Database("notifications", database_url or f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


async def test_two_loops_send_each_message_to_a_client_once(notifications, tmp_path, monkeypatch):
    async with notifications.session() as session:
        for _ in range(10):
            session.add(ClientMessage(
                id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", kind="plan_made",
                channel="sms", language="fi", to="+358401234567", text="…", next_attempt_at=now(), created_at=now(),
            ))
        await session.commit()
    sent: list[uuid.UUID] = []

    async def slow_send(self, message: ClientMessage) -> None:
        await asyncio.sleep(0.02)  # the gateway takes its time: the other loop's round runs meanwhile
        sent.append(message.id)

    monkeypatch.setattr(ClientMessageDelivery, "_send", slow_send)
    settings = load_settings(var_dir=tmp_path)
    first, second = ClientMessageDelivery(notifications, settings), ClientMessageDelivery(notifications, settings)
    tried = await asyncio.gather(first.deliver_pending(), second.deliver_pending())

    assert sum(tried) == 10 and len(sent) == 10 and len(set(sent)) == 10
    async with notifications.session() as session:
        assert {message.state for message in (await session.exec(select(ClientMessage))).all()} == {"sent"}


async def test_two_loops_mail_each_notification_once(notifications, tmp_path, monkeypatch):
    recipients = tmp_path / "recipients.toml"
    recipients.write_text('[municipalities."109"]\ncaseworker = ["kotoutuminen@hameenlinna.example"]\n', encoding="utf-8")
    async with notifications.session() as session:
        for _ in range(10):
            session.add(Notification(
                id=uuid.uuid4(), kind="deadline_missed", municipality_code="109", recipient_role="caseworker",
                params={"deadline_kind": "assessment_start", "due_on": "2027-03-01"}, created_at=datetime.now(timezone.utc),
            ))
        await session.commit()
    mailed: list[str] = []

    async def slow_send(settings, message) -> None:
        await asyncio.sleep(0.02)
        mailed.append(message["Message-ID"])

    monkeypatch.setattr(mail, "send", slow_send)
    settings = load_settings(var_dir=tmp_path, smtp_host="127.0.0.1", recipients_file=recipients)
    first, second = mail.MailDelivery(notifications, settings), mail.MailDelivery(notifications, settings)
    (sent_first, _), (sent_second, _) = await asyncio.gather(first.deliver_pending(), second.deliver_pending())

    assert sent_first + sent_second == 10 and len(mailed) == 10 and len(set(mailed)) == 10
    async with notifications.session() as session:
        rows = (await session.exec(select(Notification))).all()
    assert {row.email_state for row in rows} == {"sent"} and {row.email_claimed_until for row in rows} == {None}


async def test_a_claim_left_by_a_loop_that_died_is_taken_over_when_it_ends(notifications, tmp_path, monkeypatch):
    async with notifications.session() as session:
        session.add(ClientMessage(
            id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", kind="plan_made",
            channel="sms", language="fi", to="+358401234567", text="…", next_attempt_at=now(), created_at=now(),
        ))
        await session.commit()
    monkeypatch.setattr(ClientMessageDelivery, "_send", lambda self, message: asyncio.sleep(0))
    loop = ClientMessageDelivery(notifications, load_settings(var_dir=tmp_path))
    assert len(await loop._claim()) == 1  # claimed, then the process died before sending
    assert await loop.deliver_pending() == 0  # held: nobody sends it twice
    async with notifications.session() as session:
        [message] = (await session.exec(select(ClientMessage))).all()
        message.next_attempt_at = now() - timedelta(seconds=1)  # the claim has passed
        session.add(message)
        await session.commit()
    assert await loop.deliver_pending() == 1
