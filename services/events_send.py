"""`kotopolku events send FILE…`: publish CloudEvent files on kotopolku.inbound as a registered
municipal system would, and tell what became of each — so a municipality's IT can try their
register's messages against a local Kotopolku in a minute.

Each file is published structured (`application/cloudevents+json`), persistent, with publisher
confirms and the AMQP `user_id` of the broker login (RabbitMQ checks it, and intake accepts a
source only from its broker user). Then we wait for one of two outcomes:
- accepted: the event's `(source, id)` is in intake's inbox, which is committed in the same
  transaction as the event's effect;
- dead-lettered: a message with the `message_id` we gave it lies in `kotopolku.inbound.dead`, with
  Kotopolku's reason in `x-kotopolku-error` (the dead letter stays there for the operator).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator
from urllib.parse import urlsplit

import aio_pika
from aio_pika.exceptions import DeliveryError
from sqlmodel import select

from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.handlers import INBOUND_QUEUE
from shared.consumer import ERROR_HEADER
from shared.contracts import INBOUND_DEAD_QUEUE, INBOUND_EXCHANGE
from shared.db import Database
from shared.envelope import STRUCTURED_CONTENT_TYPE
from shared.messaging import ProcessedEvent
from shared.settings import Settings

LOOK_AT_DEAD_LETTERS = 10_000  # from the oldest: in a queue holding more, a new dead letter is not seen (only the timeout)
UNKNOWN_ROUTING_KEY = "fi.kotopolku.unknown"  # for a file without a `type`: Kotopolku dead-letters it with the reason


class SendError(Exception):
    """Nothing could be sent (the broker or Kotopolku is not there); the text says what to do."""


@dataclass
class Outcome:
    name: str  # the file, as given
    accepted: bool
    text: str  # what became of it, for people

    def line(self) -> str:
        return f"{self.name}: {self.text}"


@dataclass
class _Sent:
    name: str
    message_id: str
    source: str | None
    event_id: str | None
    outcome: Outcome | None = None


def _identity(body: bytes) -> tuple[str | None, str | None, str]:
    """The CloudEvent's source, id and routing key (its type), as far as the file has them."""
    try:
        event = json.loads(body)
    except ValueError:
        return None, None, UNKNOWN_ROUTING_KEY
    if not isinstance(event, dict):
        return None, None, UNKNOWN_ROUTING_KEY
    text = lambda name: event[name] if isinstance(event.get(name), str) and event[name] else None  # noqa: E731
    return text("source"), text("id"), text("type") or UNKNOWN_ROUTING_KEY


@asynccontextmanager
async def intake_database(settings: Settings) -> AsyncIterator[Database]:
    """Intake's database as the operator commands use it (`sources add`, `employers`), brought up
    to date first: a fresh var/ (Kotopolku not started yet) gets its tables."""
    database = Database("intake", settings.service_database_url("intake"))
    try:
        await database.migrate(INTAKE_MIGRATIONS)
        yield database
    finally:
        await database.dispose()


async def processed(database: Database, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of the events `(source, id)` in intake's inbox: their effect is committed."""
    if not keys:
        return set()
    async with database.session() as session:
        rows = await session.exec(select(ProcessedEvent).where(ProcessedEvent.event_id.in_([event_id for _, event_id in keys])))
        return {(row.source, row.event_id) for row in rows} & set(keys)


async def send_events(settings: Settings, files: list[tuple[str, bytes]], *, timeout: float = 30) -> list[Outcome]:
    """Publish each file's CloudEvent (in the order given) and wait up to `timeout` seconds for
    what became of each. An event already in the inbox is not sent again (it would change nothing)."""
    async with intake_database(settings) as database:
        sent: list[_Sent] = []
        for name, body in files:
            source, event_id, _ = _identity(body)
            sent.append(_Sent(name, f"kotopolku-send-{uuid.uuid4()}", source, event_id))
        keys = [(item.source, item.event_id) for item in sent if item.source and item.event_id]
        earlier = await processed(database, keys)
        for item in sent:
            if (item.source, item.event_id) in earlier:
                item.outcome = Outcome(item.name, True, f"accepted earlier (source {item.source}, id {item.event_id}): sending it again would change nothing")

        await _publish(settings.amqp_url, [(item, body) for item, (_, body) in zip(sent, files) if item.outcome is None])

        deadline = time.monotonic() + timeout
        while any(item.outcome is None for item in sent):
            waiting = [item for item in sent if item.outcome is None]
            done = await processed(database, [(item.source, item.event_id) for item in waiting if item.source and item.event_id])
            reasons = await _dead_letter_reasons(settings.amqp_url, {item.message_id for item in waiting})
            for item in waiting:
                if item.message_id in reasons:
                    item.outcome = Outcome(item.name, False, f"dead-lettered: {reasons[item.message_id]}")
                elif (item.source, item.event_id) in done:
                    item.outcome = Outcome(item.name, True, f"accepted (source {item.source}, id {item.event_id})")
            if time.monotonic() > deadline:
                for item in sent:
                    if item.outcome is None:
                        item.outcome = Outcome(
                            item.name, False,
                            f"no outcome within {timeout:g} s: is Kotopolku running (kotopolku run), or is the event waiting for a retry "
                            "(see its log and kotopolku dead-letters list)?",
                        )
                break
            await asyncio.sleep(0.3)
    return [item.outcome for item in sent]


async def _publish(amqp_url: str, items: list[tuple[_Sent, bytes]]) -> None:
    """Publish as a registered producer does: user_id = the broker login, persistent, confirmed."""
    if not items:
        return
    user = urlsplit(amqp_url).username or "guest"
    try:
        connection = await aio_pika.connect(amqp_url)
    except Exception as error:
        raise SendError(f"cannot reach RabbitMQ at KOTOPOLKU_AMQP_URL ({type(error).__name__}: {error})") from None
    async with connection:
        await _check_consumed(connection)
        channel = await connection.channel(publisher_confirms=True)
        # A producer's login may only write to the exchange: never declare it.
        exchange = await channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
        for item, body in items:
            _, _, routing_key = _identity(body)
            message = aio_pika.Message(
                body, content_type=STRUCTURED_CONTENT_TYPE, message_id=item.message_id, user_id=user,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            try:
                await exchange.publish(message, routing_key=routing_key, mandatory=True)
            except DeliveryError:
                raise SendError(f"no queue takes events on {INBOUND_EXCHANGE}: start Kotopolku first (kotopolku run)") from None


async def _check_consumed(connection: aio_pika.abc.AbstractConnection) -> None:
    """Kotopolku takes events from kotopolku.inbound now (else they would only wait in its queue)."""
    channel = await connection.channel()
    try:
        queue = await channel.declare_queue(INBOUND_QUEUE, passive=True)
    except Exception:  # no such queue (the channel closes with it)
        raise SendError(f"nothing takes events from {INBOUND_EXCHANGE}: start Kotopolku first (kotopolku run)") from None
    if queue.declaration_result.consumer_count == 0:
        raise SendError(f"Kotopolku is not taking events from {INBOUND_EXCHANGE} ({INBOUND_QUEUE} has no consumer): start Kotopolku first (kotopolku run)")
    await channel.close()


async def _dead_letter_reasons(amqp_url: str, message_ids: set[str]) -> dict[str, str]:
    """The reasons of those of our messages that lie in the dead-letter queue. The queue is only
    looked at: every message goes back where it was, for the operator to see or replay."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(INBOUND_DEAD_QUEUE, durable=True)
        taken, reasons = [], {}
        while len(taken) < LOOK_AT_DEAD_LETTERS:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            taken.append(message)
            if message.message_id in message_ids:
                reasons[message.message_id] = str((message.headers or {}).get(ERROR_HEADER, "(no reason given)"))
        for message in taken:
            await message.nack(requeue=True)
    return reasons
