"""The outbox relay against a real RabbitMQ and both databases: only committed events leave, each
subject's in order, relays share the outbox, and no writer waits for the broker."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from sqlmodel import select

from shared.contracts import INTERNAL_EXCHANGE
from shared.envelope import Envelope
from shared.messaging import OutboxMessage, add_event
from shared.relays import OutboxRelay
from support import an_event, eventually, write_events


async def bound_queue(connection, routing_key: str):
    channel = await connection.channel()
    await channel.declare_exchange(INTERNAL_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(INTERNAL_EXCHANGE, routing_key=routing_key)
    return queue


async def take(queue, count: int, timeout: float = 10) -> list[dict]:
    bodies = []
    for _ in range(int(timeout / 0.1)):
        message = await queue.get(fail=False)
        if message is not None:
            await message.ack()
            bodies.append(json.loads(message.body))
            if len(bodies) == count:
                break
        else:
            await asyncio.sleep(0.1)
    return bodies


async def test_outbox_publishes_only_what_was_committed_including_rows_left_by_a_crash(database, connection):
    key = f"test.outbox.{uuid.uuid4().hex[:8]}"
    queue = await bound_queue(connection, key)

    # Written while no relay runs (as if the process died right after the commit).
    await write_events(database, an_event(key, 1))
    # A rolled-back change takes its event with it.
    async with database.session() as session:
        add_event(session, an_event(key, 2), exchange=INTERNAL_EXCHANGE)
        await session.rollback()

    relay = asyncio.create_task(OutboxRelay(database, connection, poll_interval=0.2).run())
    try:
        await write_events(database, an_event(key, 3))
        received = await take(queue, 2)
        assert [body["data"]["n"] for body in received] == [1, 3]
        assert not await take(queue, 1, timeout=0.5)  # nothing twice

        async def all_marked():
            async with database.session() as session:
                rows = (await session.exec(select(OutboxMessage))).all()
                return rows and all(row.published_at is not None for row in rows)

        await eventually(all_marked, what="outbox rows marked published")
    finally:
        relay.cancel()


async def test_an_internal_event_nobody_would_receive_waits_in_the_outbox(database, connection):
    key = f"test.unroutable.{uuid.uuid4().hex[:8]}"
    await write_events(database, an_event(key, 1))
    relay = OutboxRelay(database, connection, must_reach_a_consumer=frozenset({key}))
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    with pytest.raises(Exception):
        await relay.publish_pending(channel)  # returned by the broker: no queue is bound for it
    async with database.session() as session:
        [row] = (await session.exec(select(OutboxMessage).where(OutboxMessage.routing_key == key))).all()
    assert row.published_at is None and row.attempts == 1 and row.last_error

    # The consumer's queue exists now (e.g. the service that takes the event has started).
    queue = await bound_queue(connection, key)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    assert await relay.publish_pending(channel) == 1
    assert [body["data"]["n"] for body in await take(queue, 1)] == [1]


async def test_several_relays_of_one_service_keep_its_events_in_order(database, connection, database_url):
    key = f"test.order.{uuid.uuid4().hex[:8]}"
    queue = await bound_queue(connection, key)
    await write_events(database, *(an_event(key, n) for n in range(300)))
    relays = [asyncio.create_task(OutboxRelay(database, connection, batch_size=7, poll_interval=0.05).run()) for _ in range(3)]
    try:
        received = await take(queue, 300, timeout=120)
        assert [body["data"]["n"] for body in received] == list(range(300))
    finally:
        for relay in relays:
            relay.cancel()


class HeldChannel:
    """A channel whose publishes reach the broker only when the test lets them go."""

    def __init__(self, channel) -> None:
        self.channel = channel
        self.publishing = asyncio.Event()
        self.release = asyncio.Event()

    async def get_exchange(self, name: str, ensure: bool = False):
        exchange = await self.channel.get_exchange(name, ensure=ensure)
        held = self

        class HeldExchange:
            async def publish(self, message, **options):
                held.publishing.set()
                await held.release.wait()
                return await exchange.publish(message, **options)

        return HeldExchange()


async def test_a_writer_commits_while_the_relay_waits_for_the_broker(database, connection):
    key = f"test.held.{uuid.uuid4().hex[:8]}"
    queue = await bound_queue(connection, key)
    await write_events(database, *(an_event(key, n) for n in range(3)))
    relay = OutboxRelay(database, connection)
    channel = HeldChannel(await connection.channel(publisher_confirms=True, on_return_raises=True))
    publishing = asyncio.create_task(relay.publish_pending(channel))
    try:
        await asyncio.wait_for(channel.publishing.wait(), 30)
        # While the broker has the batch, the relay holds no connection: no lock, no transaction.
        async with database.session() as session:
            assert database.engine.pool.checkedout() == 0
            add_event(session, an_event(key, 3), exchange=INTERNAL_EXCHANGE)
            await session.commit()  # (SQLite: this waited for the relay's write lock)
        assert not publishing.done()  # the commit did not wait for the publishes
        channel.release.set()
        assert await publishing == 3
        assert await relay.publish_pending(channel) == 1
        assert [body["data"]["n"] for body in await take(queue, 4)] == [0, 1, 2, 3]
    finally:
        channel.release.set()
        await asyncio.gather(publishing, return_exceptions=True)


async def test_a_relay_with_nothing_free_to_claim_only_reads(database, connection):
    """Rows another relay holds (a relay in the worker process, say) are not this relay's to claim:
    its round reads that and takes no write lock, so it never waits for a writer (nor makes one
    wait); the gauges still count the rows."""
    from shared import metrics

    key = f"test.held-by-another.{uuid.uuid4().hex[:8]}"
    await write_events(database, *(an_event(key, n) for n in range(2)))
    holder, other = OutboxRelay(database, connection), OutboxRelay(database, connection)
    assert len(await holder.claim()) == 2
    assert await other.claim() == []  # its first round also forgets old sent rows: a write
    async with database.session() as writer:
        add_event(writer, an_event(key, 2), exchange=INTERNAL_EXCHANGE)
        await writer.flush()  # an open write transaction (SQLite: the database's one write lock)
        assert await asyncio.wait_for(other.claim(), 5) == []
        await writer.rollback()
    assert metrics.relay_backlog.labels(database.service, "outbox relay")._value.get() == 2


async def test_relays_share_the_outbox_and_keep_each_subjects_order(database, connection):
    """Several relays each take a part of the batch (different subjects side by side), and the
    events of one subject never overtake each other."""
    key = f"test.subjects.{uuid.uuid4().hex[:8]}"
    queue = await bound_queue(connection, key)
    await write_events(database, *(an_event(key, n, subject=f"case-{n % 10}") for n in range(200)))
    relays = [asyncio.create_task(OutboxRelay(database, connection, batch_size=7, poll_interval=0.05).run()) for _ in range(3)]
    try:
        received = await take(queue, 200, timeout=120)
        by_subject: dict[str, list[int]] = {}
        for body in received:
            by_subject.setdefault(body["subject"], []).append(body["data"]["n"])
        assert sorted(n for ns in by_subject.values() for n in ns) == list(range(200))  # each once
        assert all(ns == sorted(ns) for ns in by_subject.values())
    finally:
        for relay in relays:
            relay.cancel()


async def test_a_commit_wakes_only_the_relays_of_the_outbox_it_wrote(database):
    from shared.messaging import outbox_key, relay_wakeup
    from shared.workflow_commands import WorkflowCommand, signal_workflow

    with relay_wakeup(outbox_key(database.engine, OutboxMessage)) as events, relay_wakeup(
        outbox_key(database.engine, WorkflowCommand)
    ) as commands:
        await write_events(database, an_event("test.wake"))
        assert events.is_set() and not commands.is_set()
        events.clear()
        async with database.session() as session:
            signal_workflow(session, "some-workflow", "say", "moi")
            await session.rollback()
        assert not events.is_set() and not commands.is_set()  # rolled back: nothing to send
        async with database.session() as session:
            signal_workflow(session, "some-workflow", "say", "moi")
            await session.commit()
        assert commands.is_set() and not events.is_set()


async def test_a_queue_bound_for_one_municipality_gets_only_its_events(database, connection):
    from shared.contracts import EVENTS_BY_MUNICIPALITY_EXCHANGE, EVENTS_EXCHANGE, MUNICIPALITY_HEADER

    key = f"test.municipal.{uuid.uuid4().hex[:8]}"
    relay = asyncio.create_task(OutboxRelay(database, connection, poll_interval=0.2).run())
    try:
        channel = await connection.channel()
        await eventually(lambda: _exchange_exists(connection, EVENTS_BY_MUNICIPALITY_EXCHANGE), what="the headers exchange declared")
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(EVENTS_BY_MUNICIPALITY_EXCHANGE, arguments={"x-match": "all", MUNICIPALITY_HEADER: "109"})
        async with database.session() as session:
            for n, code in enumerate(["109", "905", "109", "091"]):
                add_event(session, Envelope.new(type=key, source="urn:kotopolku:test", data={"n": n, "municipality_code": code}), exchange=EVENTS_EXCHANGE)
            await session.commit()
        received = await take(queue, 2)
        assert [(body["data"]["n"], body["data"]["municipality_code"]) for body in received] == [(0, "109"), (2, "109")]
        assert not await take(queue, 1, timeout=1)  # neither 905's nor 091's
    finally:
        relay.cancel()


async def _exchange_exists(connection, name: str) -> bool:
    channel = await connection.channel()
    try:
        await channel.declare_exchange(name, passive=True)
        return True
    except Exception:
        return False
