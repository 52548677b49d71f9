"""Events out over RabbitMQ, with nothing lost and nothing done twice; the tables every service has.

A state change and its event are written in one transaction (`publish` puts the event in the
service's outbox table); the `OutboxRelay` publishes the outbox with publisher confirms and marks
rows only after the broker confirmed them, so a crash between the two republishes, never loses.
The inbox (`ProcessedEvent`) is the consumer's (shared/consumer.py): events whose effect is committed.
"""

from __future__ import annotations

import asyncio
import hashlib
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable

import aio_pika
import structlog
from pydantic import BaseModel
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from sqlalchemy import Column, LargeBinary, delete, event as sa_event, func, update
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import metrics
from shared.clock import wait_at_most
from shared.contracts import EVENTS_EXCHANGE, INBOUND_EXCHANGE, INTERNAL_EXCHANGE, MUST_REACH_A_CONSUMER
from shared.db import Database, utc_column
from shared.envelope import STRUCTURED_CONTENT_TYPE, Envelope

log = structlog.get_logger(__name__)

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
                await wait_at_most(poll_interval, wakeup.wait())


@sa_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop("outbox_written", False):
        for wakeup in _relay_wakeups:
            wakeup.set()


# --- topology ---------------------------------------------------------------------------------


async def declare_exchanges(channel: AbstractChannel) -> None:
    for name in (INBOUND_EXCHANGE, EVENTS_EXCHANGE, INTERNAL_EXCHANGE):
        await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


# --- relays -----------------------------------------------------------------------------------


class Relay:
    """What a service's relays share (the outbox to the broker, workflow commands to Temporal):
    the committed rows of one table leave oldest first, in batches, one relay of the service at a
    time; sent rows are kept for `retention`, then deleted."""

    table: type[SQLModel]  # its rows have an `id` (their order) and a time they were sent
    sent_at: str  # the name of that time's column
    lock_name: str  # take_relay_turn's
    what: str  # in the log, after the service's name

    def __init__(
        self,
        database: Database,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self.database = database
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention

    async def relay(self, send_pending: Callable[[], Awaitable[int]]) -> None:
        await run_relay(
            send_pending, batch_size=self.batch_size, poll_interval=self.poll_interval, what=f"{self.database.service} {self.what}"
        )

    async def take_batch(self, session: AsyncSession, *conditions) -> list | None:
        """The oldest rows that wait (the conditions), or None while another relay has its turn."""
        if not await take_relay_turn(session, self.database, self.table, self.lock_name):
            return None
        query = select(self.table).where(*conditions).order_by(self.table.id).limit(self.batch_size)
        return list((await session.exec(query)).all())

    async def forget_sent(self, session: AsyncSession, taken: int) -> None:
        """After a batch that was not full (nothing more waits), delete the rows sent before the retention."""
        if taken < self.batch_size:
            await session.exec(delete(self.table).where(getattr(self.table, self.sent_at) < utcnow() - self.retention))
            await session.commit()


class OutboxRelay(Relay):
    table = OutboxMessage
    sent_at = "published_at"
    lock_name = "outbox"
    what = "outbox relay"

    def __init__(
        self,
        database: Database,
        connection: AbstractRobustConnection,
        *,
        must_reach_a_consumer: frozenset[str] = MUST_REACH_A_CONSUMER,
        **settings,  # Relay's: batch_size, poll_interval, retention
    ) -> None:
        super().__init__(database, **settings)
        self.connection = connection
        self.must_reach_a_consumer = must_reach_a_consumer

    async def run(self) -> None:
        # A returned (unroutable) mandatory message raises instead of passing as confirmed.
        channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        await declare_exchanges(channel)
        try:
            await self.relay(lambda: self.publish_pending(channel))
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
            rows = await self.take_batch(session, OutboxMessage.published_at.is_(None))
            if rows is None:
                return 0
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
            await self.forget_sent(session, len(rows))
            return len(rows)


def describe_error(error: BaseException) -> str:
    """The error's kind and message, without what a database driver quotes of the data."""
    text = str(error).split("\n")[0]
    # SQLAlchemy appends the statement and its parameters ("[SQL: …] [parameters: …]"): personal data.
    text = text.split("[SQL:")[0].split("[parameters:")[0].strip()
    return f"{type(error).__name__}: {text}"[:500]
