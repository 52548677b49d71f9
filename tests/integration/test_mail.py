"""Staff are e-mailed through a real SMTP server, in their municipality's languages; mail
waiting for a server that is away is sent when it comes back."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from support import event, eventually, free_port, make_settings, publish, registration, running
from shared.clock import today as finnish_today


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler interface
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def recipients(tmp_path):
    path = tmp_path / "recipients.toml"
    path.write_text(
        '[municipalities."905"]\n'
        'caseworker = ["kotoutuminen@vaasa.example"]\n'
        'coordinator = ["koordinaattori@vaasa.example"]\n',
        encoding="utf-8",
    )
    return path


async def test_a_missed_deadline_is_mailed_in_finnish_swedish_and_english_after_the_server_returns(
    tmp_path, amqp_url, temporal_address, recipients
):
    port = free_port()
    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None,
        smtp_host="127.0.0.1", smtp_port=port, recipients_file=recipients,
    )
    mailbox = Mailbox()
    async with running(settings) as (runtime, http):
        # Registered four months ago in Vaasa/Vasa (bilingual, Finnish majority): both escalations are due.
        await publish(amqp_url, event(registration(municipality_code="905", registered_on=finnish_today() - timedelta(days=122))))

        async def both_waiting():
            from sqlmodel import select

            from services.notifications.models import Notification

            async with runtime.contexts["notifications"].db.session() as session:
                rows = (await session.exec(select(Notification))).all()
            return len(rows) == 2 and all(row.email_state == "pending" for row in rows) and any(row.email_attempts for row in rows)

        await eventually(both_waiting, what="the notifications to wait for the mail server")

        controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            await eventually(lambda: _count(mailbox, 2), timeout=60, what="two e-mails")
        finally:
            controller.stop()
    by_recipient = {message["X-Envelope-To"]: message for message in mailbox.messages}
    caseworker = by_recipient["kotoutuminen@vaasa.example"]
    assert caseworker["Subject"] == "Kotopolku: määräaika ylittyi / tidsfristen har gått ut"
    body = caseworker.get_content()
    assert body.index("Määräaika ylittyi") < body.index("Tidsfristen har gått ut") < body.index("Deadline missed")
    assert "koordinaattori@vaasa.example" in by_recipient


async def _count(mailbox: Mailbox, wanted: int) -> bool:
    return len(mailbox.messages) >= wanted
