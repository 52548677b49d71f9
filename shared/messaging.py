"""Events in and out over RabbitMQ, with nothing lost and nothing done twice.

Out: a state change and its event are written in one transaction (`add_event` puts the event in
the service's outbox table); the `OutboxRelay` publishes the outbox with publisher confirms and
marks rows only after the broker confirmed them, so a crash between the two republishes, never
loses.

In: a `Consumer` acknowledges a message only after the handler's transaction committed, together
with an inbox row for the event's `(source, id)`, so a redelivered duplicate has no second effect.
A message that can never be processed goes to the dead-letter queue with the reason in the
`x-kotopolku-error` header; an error that may pass (a database or Temporal being restarted) is
retried later through a delay queue, with backoff, and dead-lettered when retries run out.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable, TypeVar

import aio_pika
import structlog
from pydantic import BaseModel, ValidationError
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage, AbstractRobustConnection
from sqlalchemy import Column, LargeBinary, delete, event as sa_event, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import metrics
from shared.contracts import EVENTS_EXCHANGE, INBOUND_EXCHANGE, INTERNAL_EXCHANGE, MUST_REACH_A_CONSUMER
from shared.db import Database, utc_column
from shared.envelope import STRUCTURED_CONTENT_TYPE, Envelope, InvalidEvent, describe_errors, parse_amqp

log = structlog.get_logger(__name__)
ModelT = TypeVar("ModelT", bound=BaseModel)

ERROR_HEADER = "x-kotopolku-error"
ATTEMPT_HEADER = "x-kotopolku-attempt"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# --- tables every service has (each in its own database or schema) -------------------------


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    event_id: str
    event_type: str
    exchange: str
    routing_key: str
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    attempts: int = 0
    last_error: str | None = None


class ProcessedEvent(SQLModel, table=True):
    """The inbox: events whose effect is committed."""

    __tablename__ = "inbox"

    source: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    event_type: str
    processed_at: datetime = Field(sa_column=utc_column())


def add_event(session: AsyncSession, envelope: Envelope, *, exchange: str, routing_key: str | None = None) -> None:
    """Queue an event for publishing; it leaves only if the caller's transaction commits."""
    session.add(
        OutboxMessage(
            event_id=envelope.id,
            event_type=envelope.type,
            exchange=exchange,
            routing_key=routing_key or envelope.type,
            body=envelope.to_json(),
            created_at=utcnow(),
        )
    )
    wake_relays_after_commit(session)


def publish(
    session: AsyncSession,
    *,
    type: str,
    source: str,
    data: BaseModel | dict,
    exchange: str,
    subject: str | None = None,
) -> Envelope:
    """The one way a service publishes: a CloudEvent built from the data, written to the outbox in
    the caller's transaction (it leaves only if that commits)."""
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    envelope = Envelope.new(type=type, source=source, data=payload, subject=subject)
    add_event(session, envelope, exchange=exchange)
    return envelope


# Relays sleep between polls; a commit that wrote to an outbox in this process wakes them at once.
_relay_wakeups: set[asyncio.Event] = set()


def wake_relays_after_commit(session: AsyncSession) -> None:
    session.info["outbox_written"] = True


@contextmanager
def relay_wakeup():
    """An event set whenever a transaction of this process that wrote to an outbox commits."""
    wakeup = asyncio.Event()
    _relay_wakeups.add(wakeup)
    try:
        yield wakeup
    finally:
        _relay_wakeups.discard(wakeup)


async def take_relay_turn(session: AsyncSession, database: Database, table: type[SQLModel], name: str) -> bool:
    """The service's lock on one of its outboxes for this transaction, if no other relay holds it:
    relays of one service (replicas, `serve` beside `worker`) send one at a time, in order. SQLite
    has one writer at a time: a write that changes nothing takes its lock (another relay waits)."""
    if database.is_sqlite:
        await session.exec(update(table).where(table.id.is_(None)).values(attempts=table.attempts))
        return True
    key = int.from_bytes(hashlib.sha256(f"kotopolku-{name}-{database.service}".encode()).digest()[:8], "big", signed=True)
    return bool((await session.exec(select(func.pg_try_advisory_xact_lock(key)))).one())


# The longest pause of a relay while what it needs (the broker, the database, Temporal) is away:
# short, so that the rows waiting leave soon after it is back (a pause costs one query).
RELAY_MAX_PAUSE = 5.0


async def run_relay(send_pending: Callable[[], Awaitable[int]], *, batch_size: int, poll_interval: float, what: str) -> None:
    """Call `send_pending` (which sends one batch and says how many rows it took) until cancelled:
    at once after a commit that wrote to an outbox, at the latest every `poll_interval`; while what
    it needs is away (it raises), with growing pauses, the rows waiting."""
    failures = 0
    with relay_wakeup() as wakeup:
        while True:
            wakeup.clear()  # before looking: a commit made while we send wakes the next round
            try:
                sent = await send_pending()
                failures = 0
            except Exception as error:
                failures += 1
                log.warning("relay waits", relay=what, error=describe_error(error))
                await asyncio.sleep(min(RELAY_MAX_PAUSE, 0.5 * 2**failures))
                continue
            if sent < batch_size:
                try:
                    await asyncio.wait_for(wakeup.wait(), timeout=poll_interval)
                except TimeoutError:
                    pass


@sa_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        for wakeup in _relay_wakeups:
            wakeup.set()


# --- topology ---------------------------------------------------------------------------------


async def declare_exchanges(channel: AbstractChannel) -> None:
    for name in (INBOUND_EXCHANGE, EVENTS_EXCHANGE, INTERNAL_EXCHANGE):
        await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


# --- outbox relay -----------------------------------------------------------------------------


class OutboxRelay:
    def __init__(
        self,
        database: Database,
        connection: AbstractRobustConnection,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
        must_reach_a_consumer: frozenset[str] = MUST_REACH_A_CONSUMER,
    ) -> None:
        self.database = database
        self.connection = connection
        self.must_reach_a_consumer = must_reach_a_consumer
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention

    async def run(self) -> None:
        # A returned (unroutable) mandatory message raises instead of passing as confirmed.
        channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        await declare_exchanges(channel)
        try:
            await run_relay(
                lambda: self.publish_pending(channel),
                batch_size=self.batch_size,
                poll_interval=self.poll_interval,
                what=f"{self.database.service} outbox relay",
            )
        finally:
            if not channel.is_closed:
                await channel.close()

    async def publish_pending(self, channel: AbstractChannel) -> int:
        """Publish the oldest unpublished rows, in order. On PostgreSQL several relays of one
        service may run (replicas): one publishes at a time, so a client's events never overtake
        each other. An event a Kotopolku service consumes that the broker returns as unroutable (its
        consumer's queue does not exist yet) is a failure: the row waits and goes again. Public
        events and internal announcements nobody subscribes to are not: dashboards and other
        systems bind their own queues when they want them."""
        async with self.database.session() as session:
            if not await self._take_turn(session):
                return 0
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(self.batch_size)
            )
            rows = (await session.exec(query)).all()
            for row in rows:
                exchange = await channel.get_exchange(row.exchange, ensure=False)
                try:
                    await exchange.publish(
                        aio_pika.Message(
                            row.body,
                            content_type=STRUCTURED_CONTENT_TYPE,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            message_id=row.event_id,
                            type=row.event_type,
                        ),
                        routing_key=row.routing_key,
                        mandatory=row.event_type in self.must_reach_a_consumer,
                    )
                except Exception as error:
                    row.attempts += 1
                    row.last_error = describe_error(error)
                    await session.commit()
                    raise
                row.published_at = utcnow()
                metrics.events_published.labels(self.database.service, row.event_type).inc()
            if rows:
                await session.commit()
            if len(rows) < self.batch_size:
                await session.exec(
                    delete(OutboxMessage).where(OutboxMessage.published_at < utcnow() - self.retention)
                )
                await session.commit()
            return len(rows)

    async def _take_turn(self, session: AsyncSession) -> bool:
        return await take_relay_turn(session, self.database, OutboxMessage, "outbox")


# --- consumer ---------------------------------------------------------------------------------


class Rejected(Exception):
    """The event can never be processed as it is; the text says why (goes to the dead letter)."""


def parse_data(model: type[ModelT], event: Envelope) -> ModelT:
    """The event's data as the model, or Rejected naming every bad field."""
    try:
        return model.model_validate(event.data)
    except ValidationError as error:
        raise Rejected(f"data of {event.type} is invalid: {describe_errors(error)}") from None


Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


@dataclass
class Subscription:
    """One durable queue of a service, bound to an exchange, with a handler per event type."""

    queue: str
    bindings: list[tuple[str, str]]  # (exchange, routing key pattern)
    handlers: dict[str, Handler]
    dead_letter_queue: str = ""
    on_committed: Callable[[Envelope], Awaitable[None]] | None = None  # e.g. wake live streams
    max_attempts: int = 6
    retry_delays: list[float] = field(default_factory=lambda: [1, 5, 30, 120, 600])  # seconds

    def __post_init__(self) -> None:
        self.dead_letter_queue = self.dead_letter_queue or f"{self.queue}.dead"

    def retry_queue(self, delay: float) -> str:
        """One delay queue per pause: messages in a queue expire in order, so a queue where all
        wait equally long never holds a short wait behind a long one."""
        return f"{self.queue}.retry.{round(delay * 1000)}ms"


class Consumer:
    def __init__(
        self,
        subscription: Subscription,
        database: Database,
        connection: AbstractConnection | str,
        *,
        secret: bytes | None = None,
        ready: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.subscription = subscription
        self.database = database
        self.connection = connection
        # Signs the attempt count Kotopolku puts on a retried message: a count a producer set
        # (or one from a message it copied) never steers the retries.
        self.secret = secret or secrets.token_bytes(32)
        # What a handler needs beyond the message itself; while it fails, the consumer waits.
        self.ready = ready or database.ping
        self.channel: AbstractChannel | None = None
        self._own_connection: AbstractConnection | None = None

    async def declare(self) -> aio_pika.abc.AbstractQueue:
        """The queues, bindings, dead-letter and retry queues, on a fresh channel. Given a URL, the
        consumer has a plain connection of its own: when the broker goes away it ends, and the
        supervisor starts a new consumer — a robust connection would instead restore the old
        consumer behind the iterator's back, holding its prefetched messages where nobody reads them."""
        sub = self.subscription
        await self._close_own_connection()
        if isinstance(self.connection, str):
            self._own_connection = await aio_pika.connect(self.connection)
        self.channel = await (self._own_connection or self.connection).channel(publisher_confirms=True)
        await self.channel.set_qos(prefetch_count=20)
        await declare_exchanges(self.channel)
        queue = await self.channel.declare_queue(sub.queue, durable=True)
        for exchange, key in sub.bindings:
            await queue.bind(exchange, routing_key=key)
        await self.channel.declare_queue(sub.dead_letter_queue, durable=True)
        # Messages wait in these for their delay, then expire back into the main queue.
        for delay in sorted(set(sub.retry_delays)):
            await self.channel.declare_queue(
                sub.retry_queue(delay),
                durable=True,
                arguments={
                    "x-message-ttl": round(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": sub.queue,
                },
            )
        return queue

    async def run(self) -> None:
        """Consume until the channel closes; then raise, so the supervisor starts a fresh consumer
        on a fresh channel (a consumer restored by a reconnect has been seen to receive nothing)."""
        queue = await self.declare()
        try:
            # One at a time, in order: events about one client must not overtake each other.
            async with queue.iterator() as messages:
                async for message in messages:
                    await self.handle(message)
        finally:
            await self._close_own_connection()
        raise ConnectionError(f"the channel of {self.subscription.queue} closed")

    async def _close_own_connection(self) -> None:
        if self._own_connection is not None and not self._own_connection.is_closed:
            try:
                await self._own_connection.close()
            except Exception:  # already gone with the broker
                pass
        self._own_connection = None

    async def handle(self, message: AbstractIncomingMessage) -> None:
        sub = self.subscription
        try:
            envelope = parse_amqp(message.body, message.content_type, message.headers)
        except InvalidEvent as error:
            return await self._dead_letter(message, str(error), event_type="(invalid)")
        object.__setattr__(envelope, "_broker_user", message.user_id)  # the broker-validated login (never the event's own attribute)
        handler = sub.handlers.get(envelope.type)
        if handler is None:
            return await self._dead_letter(message, f"unknown event type {envelope.type!r}", UNKNOWN_TYPE)
        while True:
            try:
                outcome = await self._process(handler, envelope)
            except Rejected as error:
                return await self._dead_letter(message, str(error), envelope.type)
            except Exception as error:
                if await self._wait_while_not_ready(error):
                    continue  # it was the database (or Temporal) away: the same message again
                return await self._retry(message, envelope.type, error)
            break
        log.info(outcome, event_id=envelope.id, event_type=envelope.type, source=envelope.source, queue=sub.queue)
        await message.ack()

    async def _process(self, handler: Handler, envelope: Envelope) -> str:
        """The handler's effect and the inbox row, committed together (or nothing)."""
        sub = self.subscription
        try:
            async with self.database.session() as session:
                if await session.get(ProcessedEvent, (envelope.source, envelope.id)) is not None:
                    return "duplicate event ignored"
                await handler(session, envelope)
                session.add(
                    ProcessedEvent(source=envelope.source, event_id=envelope.id, event_type=envelope.type, processed_at=utcnow())
                )
                await session.commit()
        except IntegrityError:
            if not await self._already_processed(envelope):
                raise
            return "duplicate event ignored"  # a concurrent delivery of the same event committed first
        metrics.events_processed.labels(sub.queue, envelope.type).inc()
        if sub.on_committed is not None:
            await sub.on_committed(envelope)
        return "event processed"

    async def _wait_while_not_ready(self, error: Exception) -> bool:
        """True when what the handler needs is away (the error was not the message's fault): the
        consumer has waited until it is back, without spending the message's attempts."""
        pause = 0.5
        waited = False
        while True:
            try:
                await self.ready()
                return waited
            except Exception as down:
                if not waited:
                    log.warning("consumer paused: a dependency is away", queue=self.subscription.queue, error=describe_error(down))
                    metrics.consumer_pauses.labels(self.subscription.queue).inc()
                waited = True
                await asyncio.sleep(pause)
                pause = min(pause * 2, 15.0)

    async def _already_processed(self, envelope: Envelope) -> bool:
        async with self.database.session() as session:
            return await session.get(ProcessedEvent, (envelope.source, envelope.id)) is not None

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str, event_type: str) -> None:
        headers = _own_headers(message)
        headers[ERROR_HEADER] = reason[:1000]
        headers["x-kotopolku-queue"] = self.subscription.queue
        headers["x-kotopolku-routing-key"] = message.routing_key or ""
        await self.channel.default_exchange.publish(_copy(message, headers), routing_key=self.subscription.dead_letter_queue)
        await message.ack()
        metrics.events_dead_lettered.labels(self.subscription.queue, event_type).inc()
        log.warning("event dead-lettered", queue=self.subscription.queue, reason=reason, message_id=message.message_id)

    def _attempt(self, message: AbstractIncomingMessage) -> int:
        """Which attempt this is: 1 unless Kotopolku itself counted earlier ones."""
        value = (message.headers or {}).get(ATTEMPT_HEADER)
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")
        number, _, signature = text.partition(":")
        if not number.isdigit() or not hmac.compare_digest(signature, self._sign(message, number)):
            return 1
        return int(number)

    def _sign(self, message: AbstractIncomingMessage, number: str) -> str:
        digest = hmac.new(self.secret, f"{self.subscription.queue}|{number}|".encode() + message.body, hashlib.sha256)
        return digest.hexdigest()

    async def _retry(self, message: AbstractIncomingMessage, event_type: str, error: Exception) -> None:
        sub = self.subscription
        attempt = self._attempt(message)
        reason = describe_error(error)
        if attempt >= sub.max_attempts:
            return await self._dead_letter(message, f"gave up after {attempt} attempts: {reason}", event_type)
        delay = sub.retry_delays[min(attempt - 1, len(sub.retry_delays) - 1)]
        headers = _own_headers(message)
        headers[ATTEMPT_HEADER] = f"{attempt + 1}:{self._sign(message, str(attempt + 1))}"
        headers["x-kotopolku-last-error"] = reason[:1000]
        await self.channel.default_exchange.publish(_copy(message, headers), routing_key=sub.retry_queue(delay))
        await message.ack()
        metrics.events_retried.labels(sub.queue, event_type).inc()
        log.warning("event will be retried", queue=sub.queue, attempt=attempt, delay_seconds=delay, error=reason)


UNKNOWN_TYPE = "(unknown)"  # one metrics label for every unknown type: producers can't grow the label set


def describe_error(error: BaseException) -> str:
    """The error's kind and message, without what a database driver quotes of the data."""
    text = str(error).split("\n")[0]
    # SQLAlchemy appends the statement and its parameters ("[SQL: …] [parameters: …]"): personal data.
    text = text.split("[SQL:")[0].split("[parameters:")[0].strip()
    return f"{type(error).__name__}: {text}"[:500]


def _own_headers(message: AbstractIncomingMessage) -> dict:
    """The message's headers without those Kotopolku sets itself (a producer can't pre-set them)."""
    return {name: value for name, value in (message.headers or {}).items() if not str(name).lower().startswith("x-kotopolku-")}


def _copy(message: AbstractIncomingMessage, headers: dict) -> aio_pika.Message:
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        user_id=message.user_id,  # who published it stays known on a retry (Kotopolku's broker user is an impersonator)
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
