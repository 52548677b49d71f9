"""Relays: the rows of a service's table leave for the broker (`OutboxRelay`, the outbox of
shared/messaging.py) or for Temporal (shared/workflow_commands.py).

How a relay sends without holding anything across the network:
1. **claim** a batch in one short write transaction: the oldest waiting rows that no other relay
   holds, each marked `claimed_until` (a lease). On PostgreSQL they are read `FOR UPDATE SKIP
   LOCKED`, so relays of one service (replicas, `serve` beside `worker`) claim different rows at the
   same moment; on SQLite (one writer) the claims follow one another. One statement finds the rows
   and leases them; the few left for a later round (see Order) are let go before the commit.
2. **send** with no transaction and no connection held: the broker's confirms are awaited together
   (pipelined), Temporal's calls run side by side.
3. **mark** what was sent in one short write, and let go of the rest of the claim.
Order: rows with the same `ordering_key` (an event's subject, i.e. its case, client or notice; a
command's workflow id) leave in the order they were written. A relay claims a row only when every
earlier unsent row with its key is in the same claim, and sends the rows of one key one after the
other, stopping at the key's first failure; rows of different keys go side by side. Events without
a subject share the key "" and so keep the order of the whole outbox among themselves.
A relay that dies with rows claimed leaves them to the next relay when the lease ends; a send
slower than the lease is cut off first (`SEND_TIME_LIMIT`), so two relays never send one key at
once. A crash between send and mark sends again: consumers dedup by their inbox.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from datetime import datetime, timedelta
from functools import cached_property
from types import SimpleNamespace
from typing import Any, Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from sqlalchemy import Row, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import SQLModel

from shared import metrics
from shared.contracts import EVENTS_EXCHANGE, MUNICIPALITY_HEADER, MUST_REACH_A_CONSUMER
from shared.db import Database
from shared.envelope import STRUCTURED_CONTENT_TYPE
from shared.messaging import OutboxMessage, declare_exchanges, describe_error, municipality_of, outbox_key, run_relay, utcnow
from shared.tracing import SpanKind, span, traceparent_in


# How long a claim is a relay's alone; a relay that died holding one delays its rows by this much.
RELAY_LEASE = timedelta(seconds=45)
# The longest a relay sends one batch: well within its lease (what is unsent by then is let go), and
# longer than the Temporal client's own retries of one call (about 10 s) while Temporal is busy.
SEND_TIME_LIMIT = 20.0
# How often a relay deletes the rows sent longer ago than their retention.
SWEEP_INTERVAL_SECONDS = 60.0


def lanes(rows: list, key: str) -> list[list]:
    """The rows by their ordering key, each key's rows in their order."""
    by_key: dict[Any, list] = defaultdict(list)
    for row in rows:
        by_key[getattr(row, key)].append(row)
    return list(by_key.values())


class Relay:
    """What a service's relays share (the outbox to the broker, workflow commands to Temporal):
    the committed rows of one table leave oldest first, in batches claimed with a lease, each
    ordering key in order (see the module's docstring); sent rows are kept for `retention`, then
    deleted."""

    table: type[SQLModel]  # its rows have an `id` (their order), `claimed_until`, `attempts`, `last_error`
    sent_at: str  # the name of the column of the time a row was sent
    ordering_key: str  # the name of the column whose rows leave in order
    what: str  # in the log, after the service's name

    def __init__(
        self,
        database: Database,
        *,
        batch_size: int = 100,
        poll_interval: float = 1.0,
        retention: timedelta = timedelta(days=7),
        lease: timedelta = RELAY_LEASE,
    ) -> None:
        self.database = database
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention
        self.lease = lease
        self._next_sweep = 0.0  # when sent rows past their retention are next deleted (monotonic)

    async def relay(self, send_pending: Callable[[], Awaitable[int]]) -> None:
        await run_relay(
            send_pending,
            batch_size=self.batch_size,
            poll_interval=self.poll_interval,
            what=f"{self.database.service} {self.what}",
            woken_by=outbox_key(self.database.engine, self.table),
        )

    def waiting(self) -> list:
        """The conditions of a row that waits to be sent."""
        return [self.table.__table__.c[self.sent_at].is_(None)]

    @cached_property
    def statements(self) -> SimpleNamespace:
        """A round's statements, built once with their values as parameters: building them anew each
        round took as long as running them (docs/benchmarks.md)."""
        table = self.table.__table__
        key, sent_at, claimed_until = table.c[self.ordering_key], table.c[self.sent_at], table.c.claimed_until
        at = bindparam("now", type_=claimed_until.type)
        free = and_(*self.waiting(), or_(claimed_until.is_(None), claimed_until < at))
        oldest_free = select(table.c.id).where(free).order_by(table.c.id).limit(self.batch_size)
        if not self.database.is_sqlite:
            oldest_free = oldest_free.with_for_update(skip_locked=True)
        ids = bindparam("ids", expanding=True)
        return SimpleNamespace(
            # The rows still waiting, the oldest's time, and how many of them no relay holds.
            backlog=select(func.count(), func.min(table.c.created_at), func.count(case((free, 1)))).where(sent_at.is_(None)),
            # One statement finds and leases them (on SQLite it takes the one write lock: the claims
            # of relays follow one another).
            lease=update(table).where(table.c.id.in_(oldest_free)).values(claimed_until=bindparam("until", type_=claimed_until.type))
            .returning(*table.c),
            # Every unsent row of the claimed keys up to the last one claimed.
            earlier=select(table.c.id, key).where(sent_at.is_(None), key.in_(bindparam("keys", expanding=True)), table.c.id <= bindparam("last"))
            .order_by(table.c.id),
            let_go=update(table).where(table.c.id.in_(ids)).values(claimed_until=None),
            sent=update(table).where(table.c.id.in_(ids)).values({sent_at: bindparam("now", type_=sent_at.type), claimed_until: None}),
            forget=delete(table).where(sent_at < bindparam("before", type_=sent_at.type)),
        )

    async def claim(self) -> list:
        """The oldest waiting rows no other relay holds, leased to this one (in one short write).
        A row whose key has an earlier unsent row outside this claim is left for a later round.
        A round that finds nothing free to claim (nor sent rows to forget) only reads: on SQLite it
        takes no write lock, so the relays' polls and the rounds of a relay whose rows another
        process's relay holds never make a writer wait.

        The rows are the table's columns (`row.id`, `row.body`…), read and written on a connection
        rather than through an ORM session: a relay round is a few statements on one table, and
        the session's bookkeeping with statements built anew each round made a round cost half as
        much again in CPU time (docs/benchmarks.md)."""
        statements = self.statements
        sweep_due = time.monotonic() >= self._next_sweep
        async with self.database.engine.connect() as connection:
            now = utcnow()
            free = await self.measure_backlog(connection, now)
            if not free and not sweep_due:
                return []
            leased = (await connection.execute(statements.lease, {"now": now, "until": now + self.lease})).all() if free else []
            candidates = sorted(leased, key=lambda row: row.id)
            claimed: list = []
            if candidates:
                # Another relay's claim still being written is seen here as unsent: it blocks too.
                keys = list({getattr(row, self.ordering_key) for row in candidates})
                ours, blocked = {row.id for row in candidates}, set()
                for row_id, row_key in (await connection.execute(statements.earlier, {"keys": keys, "last": candidates[-1].id})).all():
                    if row_id not in ours:
                        blocked.add(row_key)  # an earlier row of the key is another relay's, or was given up
                    elif row_key in blocked:
                        ours.discard(row_id)
                claimed = [row for row in candidates if row.id in ours]
                if len(claimed) < len(candidates):  # let go of those left for a later round
                    await connection.execute(statements.let_go, {"ids": [row.id for row in candidates if row.id not in ours]})
            if len(candidates) < self.batch_size and sweep_due:
                # Nothing more waits: forget what was sent long ago (once a minute, not every round).
                await connection.execute(statements.forget, {"before": now - self.retention})
                self._next_sweep = time.monotonic() + SWEEP_INTERVAL_SECONDS
            await connection.commit()
        return claimed

    async def measure_backlog(self, connection: AsyncConnection, now: datetime | None = None) -> int:
        """The rows still waiting, and the oldest's age, for the operator's gauges (one indexed
        count, a read); says how many of those waiting no relay holds."""
        now = now or utcnow()
        waiting, oldest, claimable = (await connection.execute(self.statements.backlog, {"now": now})).one()
        labels = (self.database.service, self.what)
        metrics.relay_backlog.labels(*labels).set(waiting)
        metrics.relay_oldest_waiting_seconds.labels(*labels).set((now - oldest).total_seconds() if oldest else 0)
        return claimable

    async def mark(self, claimed: list, sent: list, changes: dict[int, dict] | None = None) -> None:
        """In one short write: the rows sent, the others' changes (their error), the claim let go."""
        table = self.table.__table__
        changes = changes or {}
        async with self.database.engine.connect() as connection:
            if sent:
                await connection.execute(self.statements.sent, {"ids": [row.id for row in sent], "now": utcnow()})
            for row_id, values in changes.items():
                await connection.execute(update(table).where(table.c.id == row_id).values(claimed_until=None, **values))
            done = {row.id for row in sent} | set(changes)
            rest = [row.id for row in claimed if row.id not in done]
            if rest:
                await connection.execute(self.statements.let_go, {"ids": rest})
            await connection.commit()


class OutboxRelay(Relay):
    table = OutboxMessage
    sent_at = "published_at"
    ordering_key = "ordering_key"
    what = "outbox relay"

    def __init__(
        self,
        database: Database,
        connection: AbstractRobustConnection,
        *,
        must_reach_a_consumer: frozenset[str] = MUST_REACH_A_CONSUMER,
        **settings,  # Relay's: batch_size, poll_interval, retention, lease
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
        """Publish a batch of the oldest unpublished rows; says how many were claimed. An event a
        Kotopolku service consumes that the broker returns as unroutable (its consumer's queue
        does not exist yet) is a failure: the row (and those of its subject behind it) waits and
        goes again, and this raises so that the relay pauses. Public events and internal
        announcements nobody subscribes to are not: dashboards and other systems bind their own
        queues when they want them."""
        claimed = await self.claim()
        if not claimed:
            return 0
        sent: list[Row] = []
        failed: dict[int, BaseException] = {}

        async def publish_in_order(rows: list[Row]) -> None:
            for row in rows:
                exchange = await channel.get_exchange(row.exchange, ensure=False)
                try:
                    with span(f"publish {row.event_type}", traceparent=traceparent_in(row.body), kind=SpanKind.PRODUCER,
                              messaging_destination_name=row.exchange, messaging_message_id=row.event_id):
                        municipality = municipality_of(row.body) if row.exchange == EVENTS_EXCHANGE else None
                        await exchange.publish(
                            aio_pika.Message(
                                row.body,
                                headers={MUNICIPALITY_HEADER: municipality} if municipality else None,
                                content_type=STRUCTURED_CONTENT_TYPE,
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                message_id=row.event_id,
                                type=row.event_type,
                            ),
                            routing_key=row.routing_key,
                            mandatory=row.event_type in self.must_reach_a_consumer,
                        )
                except Exception as error:
                    failed[row.id] = error
                    return  # the subject's later events wait behind this one
                sent.append(row)

        try:
            # Each subject's events one after the other; the subjects' confirms awaited together.
            async with asyncio.timeout(SEND_TIME_LIMIT):
                await asyncio.gather(*(publish_in_order(rows) for rows in lanes(claimed, self.ordering_key)))
        except TimeoutError as error:
            failed.setdefault(-1, error)
        finally:
            changes = {
                row.id: {"attempts": row.attempts + 1, "last_error": describe_error(failed[row.id])} for row in claimed if row.id in failed
            }
            await self.mark(claimed, sent, changes)
        for row in sent:
            metrics.events_published.labels(self.database.service, row.event_type).inc()
        if failed:
            raise failed[min(failed)]  # the time limit (-1) first, else the oldest row's error
        return len(claimed)
