"""SMS providers. The development provider appends each message to `sms.jsonl` in the data
directory (CONTRACT §7, fixed); the HTTP gateway adapter POSTs JSON with a bearer token to the
operator's gateway (`KOTOPOLKU_SMS_GATEWAY_URL`, `KOTOPOLKU_SMS_GATEWAY_TOKEN`)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Protocol

import httpx

from services.notifications.client_messages.models import ClientMessage
from shared.settings import Settings


class SmsNotSent(Exception):
    """The provider did not take the message: it is retried later."""


class SmsProvider(Protocol):
    async def send(self, message: ClientMessage, sent_at: datetime) -> None: ...


class FileSms:
    """One JSON line per message: {"to", "language", "text", "case_id", "kind", "sent_at"}."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, message: ClientMessage, sent_at: datetime) -> None:
        line = json.dumps(
            {
                "to": message.to,
                "language": message.language,
                "text": message.text,
                "case_id": str(message.case_id),
                "kind": message.kind,
                "sent_at": sent_at.isoformat(),
            },
            ensure_ascii=False,
        )
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")


class HttpSmsGateway:
    """A generic gateway: `POST url` with `{"to", "text", "sender", "language", "reference"}`,
    `Authorization: Bearer <token>` and the message's id as `Idempotency-Key` (a gateway that
    honours it never sends a retried message twice). Any 2xx accepts."""

    def __init__(self, url: str, token: str | None, sender: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url, self.token, self.sender, self.transport = url, token, sender, transport

    async def send(self, message: ClientMessage, sent_at: datetime) -> None:
        headers = {"Idempotency-Key": str(message.id)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"to": message.to, "text": message.text, "sender": self.sender, "language": message.language, "reference": str(message.id)}
        try:
            async with httpx.AsyncClient(timeout=15, transport=self.transport) as client:
                response = await client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise SmsNotSent(f"gateway unreachable: {type(error).__name__}") from None
        if not response.is_success:
            raise SmsNotSent(f"gateway answered {response.status_code}")


def provider(settings: Settings) -> SmsProvider | None:
    """The gateway when configured; else the file in development, and none in production (an SMS
    is then marked not sent, for staff to see, rather than written to a file nobody reads)."""
    if settings.sms_gateway_url:
        return HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_sender)
    if settings.environment == "development":
        return FileSms(settings.var_dir / "sms.jsonl")
    return None
