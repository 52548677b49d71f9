"""E-mail to staff: each notification, once committed, is mailed to the addresses the
municipality named for the recipient role, in the municipality's own languages (and English).
A loop delivers what is pending and retries what failed, so nothing is lost when the mail
server is away for a while."""

from __future__ import annotations

import asyncio
import tomllib
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import structlog
from sqlalchemy import or_, update
from sqlmodel import select

from services.notifications.models import Notification
from services.notifications.templates import render, title
from shared import metrics, municipalities
from shared.db import Database, claim_rows
from shared.settings import Settings

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 10
# How long a loop holds the mail it is sending: longer than one SMTP exchange (its timeout is 30 s).
CLAIM_SECONDS = 120
SEND_SECONDS = 35  # the longest one mail takes to leave (the SMTP timeout is 30 s)


class Recipients:
    """Who is mailed: `[municipalities."109"] caseworker = [...], coordinator = [...]` in the
    file named by KOTOPOLKU_RECIPIENTS_FILE."""

    def __init__(self, path: Path | None) -> None:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8")) if path else {}
        self._by_municipality: dict[str, dict[str, list[str]]] = data.get("municipalities", {})

    def addresses(self, municipality_code: str, role: str) -> list[str]:
        return list(self._by_municipality.get(municipality_code, {}).get(role, []))


def languages_of(municipality_code: str) -> list[str]:
    """The municipality's languages, majority first, then English."""
    municipality = municipalities.get(municipality_code)
    own = {"fi": ["fi"], "fi-sv": ["fi", "sv"], "sv-fi": ["sv", "fi"], "sv": ["sv"]}.get(
        municipality.language if municipality else "fi", ["fi"]
    )
    return [*own, "en"]


def compose(notification: Notification, sender: str, to: list[str]) -> EmailMessage:
    texts = render(notification.kind, notification.params)
    languages = languages_of(notification.municipality_code)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    # The subject in the municipality's own languages; the body adds English for everyone else.
    message["Subject"] = "Kotopolku: " + " / ".join(title(notification.kind, language) for language in languages[:-1])
    message["Message-ID"] = f"<{notification.id}@kotopolku>"
    message.set_content("\n\n".join(texts[language] for language in languages) + "\n")
    return message


async def send(settings: Settings, message: EmailMessage) -> None:
    """Through the configured mail server (staff notifications and messages to clients alike)."""
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        start_tls=settings.smtp_starttls,
        timeout=30,
    )


class MailDelivery:
    def __init__(self, database: Database, settings: Settings, *, poll_interval: float = 2.0) -> None:
        self.database = database
        self.settings = settings
        self.recipients = Recipients(settings.recipients_file)
        self.poll_interval = poll_interval

    async def run(self) -> None:
        failures = 0
        while True:
            delivered, failed = await self.deliver_pending()
            failures = failures + 1 if failed else 0
            if failed:
                await asyncio.sleep(min(300.0, self.poll_interval * 2**failures))  # the mail server is away
            elif not delivered:
                await asyncio.sleep(self.poll_interval)

    async def deliver_pending(self) -> tuple[int, bool]:
        """Mail what is pending; (how many were sent, whether the server refused or was away)."""
        claimed_until = datetime.now(timezone.utc) + timedelta(seconds=CLAIM_SECONDS)
        claimed = await self._claim()
        delivered, failed = 0, False
        for index, notification in enumerate(claimed):
            if datetime.now(timezone.utc) > claimed_until - timedelta(seconds=SEND_SECONDS):
                for waiting in claimed[index:]:  # the claim would run out while sending: next round
                    await self._settle(waiting.id)
                break
            to = self.recipients.addresses(notification.municipality_code, notification.recipient_role)
            if not to or not self.settings.smtp_host:
                await self._settle(notification.id, email_state="none")  # shown on the dashboard only
                continue
            try:
                await send(self.settings, compose(notification, self.settings.mail_from, to))
            except (aiosmtplib.SMTPException, OSError) as error:
                attempts = notification.email_attempts + 1
                if attempts >= MAX_ATTEMPTS:  # no more attempts: it stays unsent
                    metrics.notifications_failed.labels("staff", "email", "failed").inc()
                await self._settle(notification.id, email_attempts=attempts, email_error=str(error)[:500])
                log.warning("e-mail not sent yet", notification_id=str(notification.id), error=str(error))
                for waiting in claimed[index + 1:]:  # the server is away: the rest wait for the next round
                    await self._settle(waiting.id)
                failed = True
                break
            await self._settle(notification.id, email_state="sent", emailed_at=datetime.now(timezone.utc))
            delivered += 1
        return delivered, failed

    async def _claim(self) -> list[Notification]:
        """The oldest pending mail no other loop holds, held by this one for CLAIM_SECONDS."""
        at = datetime.now(timezone.utc)
        free = or_(Notification.email_claimed_until.is_(None), Notification.email_claimed_until < at)
        async with self.database.session() as session:
            pending = (
                await session.exec(
                    select(Notification)
                    .where(Notification.email_state == "pending", Notification.email_attempts < MAX_ATTEMPTS, free)
                    .order_by(Notification.created_at)
                    .limit(20)
                )
            ).all()
            taken = await claim_rows(
                session, Notification, [notification.id for notification in pending],
                Notification.email_state == "pending", free, email_claimed_until=at + timedelta(seconds=CLAIM_SECONDS),
            )
            await session.commit()
        return [notification for notification in pending if notification.id in taken]

    async def _settle(self, notification_id, **values) -> None:
        """What became of a claimed mail (nothing given: let go for the next round); the claim ends."""
        async with self.database.session() as session:
            await session.exec(update(Notification).where(Notification.id == notification_id).values(email_claimed_until=None, **values))
            await session.commit()
