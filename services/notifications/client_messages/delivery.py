"""Sends the client messages recorded, after their commit: SMS through the provider, e-mail
through the SMTP server staff mail uses (the same settings). A message that fails waits longer
each time (backoff) and is marked failed after its attempts; no transaction is held while a
provider or the mail server answers. Each message is marked sent in its own commit, so a restart
sends only what had not left."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib
import structlog
from sqlmodel import select

from services.notifications import mail
from services.notifications.client_messages import sms
from services.notifications.client_messages.models import ClientMessage
from shared import metrics
from shared.clock import now, wait_at_most
from shared.db import Database, claim_rows
from shared.settings import Settings

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 10
# How long a loop holds the messages it is sending: longer than one SMTP exchange or gateway call.
CLAIM_SECONDS = 120
SEND_SECONDS = 35  # the longest one message takes to leave (SMTP's timeout is 30 s)
NO_MAIL_SERVER = "no mail server configured (KOTOPOLKU_SMTP_HOST)"
NO_SMS_GATEWAY = "no SMS gateway configured (KOTOPOLKU_SMS_GATEWAY_URL)"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600.0, 5.0 * 2 ** (attempts - 1)))


def compose(message: ClientMessage, sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject or "Kotopolku"
    mail["Message-ID"] = f"<{message.id}@kotopolku>"  # the same on a retry: a receiver can drop a repeat
    mail.set_content(message.text + "\n")
    mail["Content-Language"] = message.language  # after set_content, which clears Content-* headers
    return mail


class ClientMessageDelivery:
    def __init__(self, database: Database, settings: Settings, wake: asyncio.Event | None = None, *, poll_interval: float = 2.0) -> None:
        self.database = database
        self.settings = settings
        self.sms = sms.provider(settings)
        self.wake = wake or asyncio.Event()
        self.poll_interval = poll_interval  # messages recorded by another process are found this often

    async def run(self) -> None:
        while True:
            if not await self.deliver_pending():
                await wait_at_most(self.poll_interval, self.wake.wait())
                self.wake.clear()

    async def deliver_pending(self) -> int:
        """Send what is due; how many were tried."""
        claimed_until = now() + timedelta(seconds=CLAIM_SECONDS)
        due = await self._claim()
        for message in due:
            if now() > claimed_until - timedelta(seconds=SEND_SECONDS):
                break  # the claim would run out while sending: the rest are sent when it has passed
            error = await self._send(message)
            async with self.database.session() as session:
                current = await session.get(ClientMessage, message.id)
                if current is None or current.state != "pending":
                    continue
                if error is None:
                    current.state, current.sent_at, current.error = "sent", now(), None
                elif error in (NO_MAIL_SERVER, NO_SMS_GATEWAY):
                    current.state, current.error = "not_sent", error  # staff see it on the timeline
                    metrics.notifications_failed.labels("client", current.channel, "not_sent").inc()
                else:
                    current.attempts += 1
                    current.error = error[:500]
                    current.next_attempt_at = now() + backoff(current.attempts)
                    if current.attempts >= MAX_ATTEMPTS:
                        current.state = "failed"
                        metrics.notifications_failed.labels("client", current.channel, "failed").inc()
                    log.warning("client message not sent yet", message_id=str(current.id), channel=current.channel, error=error)
                session.add(current)
                await session.commit()
        return len(due)

    async def _claim(self) -> list[ClientMessage]:
        """The oldest due messages, each held by this loop for CLAIM_SECONDS (its next attempt moved
        past the claim): another loop — another notifications process — leaves them alone, so a
        message leaves once; one whose loop died is sent when the claim has passed."""
        at = now()
        async with self.database.session() as session:
            due = (
                await session.exec(
                    select(ClientMessage)
                    .where(ClientMessage.state == "pending", ClientMessage.next_attempt_at <= at)
                    .order_by(ClientMessage.created_at)
                    .limit(20)
                )
            ).all()
            taken = await claim_rows(
                session, ClientMessage, [message.id for message in due],
                ClientMessage.state == "pending", ClientMessage.next_attempt_at <= at,
                next_attempt_at=at + timedelta(seconds=CLAIM_SECONDS),
            )
            await session.commit()
        return [message for message in due if message.id in taken]

    async def _send(self, message: ClientMessage) -> str | None:
        """None when sent, else why not."""
        try:
            if message.channel == "sms":
                if self.sms is None:
                    return NO_SMS_GATEWAY
                await self.sms.send(message, now())
            elif message.channel == "email":
                if not self.settings.smtp_host:
                    return NO_MAIL_SERVER
                await mail.send(self.settings, compose(message, self.settings.mail_from))
        except (sms.SmsNotSent, aiosmtplib.SMTPException, OSError) as error:
            return str(error) or type(error).__name__
        return None
