"""Events out over RabbitMQ, with nothing lost and nothing done twice; the tables every service has.

A state change and its event are written in one transaction (`publish` puts the event in the
service's outbox table); the `OutboxRelay` (shared/relays.py) publishes the outbox with publisher confirms and marks
rows only after the broker confirmed them, so a crash between the two republishes, never loses.
The inbox (`ProcessedEvent`) is the consumer's (shared/consumer.py): events whose effect is committed.

How a relay sends, in order and holding nothing across the network: shared/relays.py.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Hashable

import aio_pika
import structlog
from pydantic import BaseModel
from aio_pika.abc import AbstractChannel
from sqlalchemy import Column, LargeBinary, event as sa_event, insert, inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import wait_at_most
from shared.contracts import (
    EVENTS_BY_MUNICIPALITY_EXCHANGE, EVENTS_EXCHANGE, INBOUND_EXCHANGE, INTERNAL_EXCHANGE,
)
from shared.db import utc_column
from shared.envelope import Envelope

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
    ordering_key: str = ""  # the event's subject: events of one subject leave in order
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    attempts: int = 0
    last_error: str | None = None
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))  # a relay's lease


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
            ordering_key=envelope.subject or "",
            body=envelope.to_json(),
            created_at=utcnow(),
        )
    )
    wake_relays_after_commit(session, OutboxMessage)


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


# Relays sleep between polls; a commit that wrote to an outbox in this process wakes, at once, the
# relays of that outbox (that database's table) and no others.
_relay_wakeups: set["RelayWakeup"] = set()


class RelayWakeup(asyncio.Event):
    """Set when a transaction that wrote to its relay's table commits; `key` None: any such commit."""

    def __init__(self, key: Hashable | None = None) -> None:
        super().__init__()
        self.key = key


def outbox_key(engine: Any, table: type[SQLModel]) -> tuple:
    """What names one outbox of the process: its database's engine and its table."""
    return (id(engine), table.__tablename__)


def wake_relays_after_commit(session: AsyncSession, table: type[SQLModel]) -> None:
    session.info.setdefault("outboxes_written", set()).add(outbox_key(session.bind, table))


@contextmanager
def relay_wakeup(key: Hashable | None = None):
    """An event set whenever a transaction of this process that wrote to the outbox `key` commits."""
    wakeup = RelayWakeup(key)
    _relay_wakeups.add(wakeup)
    try:
        yield wakeup
    finally:
        _relay_wakeups.discard(wakeup)


# The longest pause of a relay while what it needs (the broker, the database, Temporal) is away:
# short, so that the rows waiting leave soon after it is back (a pause costs one query).
RELAY_MAX_PAUSE = 5.0


async def run_relay(
    send_pending: Callable[[], Awaitable[int]], *, batch_size: int, poll_interval: float, what: str, woken_by: Hashable | None = None
) -> None:
    """Call `send_pending` (which sends one batch and says how many rows it took) until cancelled:
    at once after a commit that wrote to its outbox (`woken_by`, see `outbox_key`), at the latest
    every `poll_interval`; while what it needs is away (it raises), with growing pauses, the rows
    waiting."""
    failures = 0
    with relay_wakeup(woken_by) as wakeup:
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


def wake_relays(written: set[Hashable]) -> None:
    """Wake the relays of these outboxes (`outbox_key`s of this process): after a commit that
    wrote to them, or when another process that wrote to them says so (services/worker_process.py)."""
    for wakeup in _relay_wakeups:
        if wakeup.key is None or wakeup.key in written:
            wakeup.set()


@sa_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    written = session.info.pop("outboxes_written", None)
    if written:
        wake_relays(written)


@sa_event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    session.info.pop("outboxes_written", None)  # rolled back: nothing new to send


# Tables whose rows a transaction only adds, for a relay to read once it has committed (the outbox,
# the workflow commands): at each flush their new rows go in one statement per table, not one each
# with the ORM asking the database back for every row's id. Nothing reads those ids in between.
WRITTEN_IN_BATCHES: set[type[SQLModel]] = {OutboxMessage}


@sa_event.listens_for(Session, "before_flush")
def _insert_in_batches(session: Session, _context: Any, _instances: Any) -> None:
    batches: dict[type[SQLModel], list[SQLModel]] = {}
    for row in session.new:
        if type(row) in WRITTEN_IN_BATCHES:
            batches.setdefault(type(row), []).append(row)
    for table, rows in batches.items():
        rows.sort(key=lambda row: sa_inspect(row).insert_order)  # the order they were written: the relays keep it
        columns = [column.key for column in table.__table__.columns if column.key != "id"]
        values = [{key: getattr(row, key) for key in columns} for row in rows]
        for row in rows:
            session.expunge(row)
        session.connection().execute(insert(table.__table__), values)


# --- topology ---------------------------------------------------------------------------------


async def declare_exchanges(channel: AbstractChannel) -> None:
    for name in (INBOUND_EXCHANGE, EVENTS_EXCHANGE, INTERNAL_EXCHANGE):
        await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
    by_municipality = await channel.declare_exchange(EVENTS_BY_MUNICIPALITY_EXCHANGE, aio_pika.ExchangeType.HEADERS, durable=True)
    await by_municipality.bind(EVENTS_EXCHANGE, routing_key="#")  # every public event, matched by its headers


def municipality_of(body: bytes) -> str | None:
    """The `data.municipality_code` of a structured CloudEvent as stored in the outbox."""
    try:
        data = json.loads(body).get("data")
    except (ValueError, AttributeError):
        return None
    code = data.get("municipality_code") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


def describe_error(error: BaseException) -> str:
    """The error's kind and message, without what a database driver quotes of the data."""
    text = str(error).split("\n")[0]
    # SQLAlchemy appends the statement and its parameters ("[SQL: …] [parameters: …]"): personal data.
    text = text.split("[SQL:")[0].split("[parameters:")[0].strip()
    return f"{type(error).__name__}: {text}"[:500]
