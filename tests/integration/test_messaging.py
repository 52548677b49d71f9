"""The outbox relay and the consumer against a real RabbitMQ and both databases: nothing lost,
nothing twice, retries with backoff, dead letters with reasons."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from sqlalchemy import func
from sqlmodel import select

from shared.contracts import INTERNAL_EXCHANGE
from shared.envelope import Envelope
from shared.consumer import Consumer, Rejected, Subscription
from shared.messaging import OutboxMessage, ProcessedEvent, add_event
from shared.relays import OutboxRelay
from support import dead_letters, eventually, statements_sent


@pytest.fixture
async def connection(amqp_url):
    connection = await aio_pika.connect_robust(amqp_url)
    yield connection
    await connection.close()


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


def an_event(routing_key: str, n: int = 0) -> Envelope:
    return Envelope.new(type=routing_key, source="urn:kotopolku:test", data={"n": n})


async def test_outbox_publishes_only_what_was_committed_including_rows_left_by_a_crash(database, connection):
    key = f"test.outbox.{uuid.uuid4().hex[:8]}"
    queue = await bound_queue(connection, key)

    # Written while no relay runs (as if the process died right after the commit).
    async with database.session() as session:
        add_event(session, an_event(key, 1), exchange=INTERNAL_EXCHANGE)
        await session.commit()
    # A rolled-back change takes its event with it.
    async with database.session() as session:
        add_event(session, an_event(key, 2), exchange=INTERNAL_EXCHANGE)
        await session.rollback()

    relay = asyncio.create_task(OutboxRelay(database, connection, poll_interval=0.2).run())
    try:
        async with database.session() as session:
            add_event(session, an_event(key, 3), exchange=INTERNAL_EXCHANGE)
            await session.commit()
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
    async with database.session() as session:
        add_event(session, an_event(key, 1), exchange=INTERNAL_EXCHANGE)
        await session.commit()
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
    async with database.session() as session:
        for n in range(300):
            add_event(session, an_event(key, n), exchange=INTERNAL_EXCHANGE)
        await session.commit()
    relays = [asyncio.create_task(OutboxRelay(database, connection, batch_size=7, poll_interval=0.05).run()) for _ in range(3)]
    try:
        received = await take(queue, 300, timeout=120)
        assert [body["data"]["n"] for body in received] == list(range(300))
    finally:
        for relay in relays:
            relay.cancel()


async def test_consumer_retries_what_may_pass_and_dead_letters_what_cannot(database, connection, amqp_url):
    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    calls: dict[int, int] = {}

    async def handler(session, event: Envelope) -> None:
        n = event.data["n"]
        calls[n] = calls.get(n, 0) + 1
        # The handler's writes roll back with it when it fails: an outbox row stands in for them.
        add_event(session, an_event("test.effect", n), exchange=INTERNAL_EXCHANGE)
        if n == 1 and calls[n] < 3:
            raise ConnectionError("database restarting")
        if n == 2:
            raise Rejected("n=2 can never be processed")
        if n == 3:
            raise ConnectionError("never comes back")

    subscription = Subscription(
        queue=queue_name,
        bindings=[(INTERNAL_EXCHANGE, "test.consume")],
        handlers={"test.consume": handler},
        max_attempts=3,
        retry_delays=[0.2, 0.4],
    )
    consumer = Consumer(subscription, database, connection)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
        for n in (1, 2, 3, 4):
            await exchange.publish(
                aio_pika.Message(an_event("test.consume", n).to_json(), content_type="application/cloudevents+json"),
                routing_key="test.consume",
            )

        dead = await dead_letters(amqp_url, subscription.dead_letter_queue, wanted=2)
        reasons = {json.loads(message.body)["data"]["n"]: message.headers["x-kotopolku-error"] for message in dead}
        assert reasons[2] == "n=2 can never be processed"
        assert reasons[3].startswith("gave up after 3 attempts: ConnectionError: never comes back")
        assert calls[1] == 3 and calls[2] == 1 and calls[3] == 3 and calls[4] == 1

        async with database.session() as session:
            processed = (await session.exec(select(ProcessedEvent.event_id))).all()
            effects = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
        assert len(processed) == 2  # 1 (after its retries) and 4
        assert effects == 2  # only the committed attempts left their effect
    finally:
        task.cancel()


async def _declared(consumer: Consumer) -> bool:
    return consumer.channel is not None


async def test_a_short_retry_is_not_held_behind_a_long_one(database, connection):
    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    seen: dict[str, int] = {}
    long_waits, done = asyncio.Event(), asyncio.Event()

    async def handler(session, event: Envelope) -> None:
        name = event.data["name"]
        seen[name] = seen.get(name, 0) + 1
        if name == "long" and seen[name] <= 2:
            if seen[name] == 2:
                long_waits.set()  # its second failure sends it to the minute-long queue
            raise ConnectionError("not yet")
        if name == "short":
            if seen[name] == 1:
                raise ConnectionError("not yet")
            done.set()

    subscription = Subscription(
        queue=queue_name,
        bindings=[(INTERNAL_EXCHANGE, "test.order")],
        handlers={"test.order": handler},
        max_attempts=5,
        retry_delays=[0.3, 60],  # a first failure waits 0.3 s, a second one a minute
    )
    consumer = Consumer(subscription, database, connection)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)

        async def send(name: str) -> None:
            body = Envelope.new(type="test.order", source="urn:kotopolku:test", data={"name": name}).to_json()
            await exchange.publish(aio_pika.Message(body, content_type="application/cloudevents+json"), routing_key="test.order")

        await send("long")
        await asyncio.wait_for(long_waits.wait(), timeout=10)
        await send("short")
        await asyncio.wait_for(done.wait(), timeout=10)
        assert seen == {"long": 2, "short": 2}  # the long wait is still waiting
    finally:
        task.cancel()


async def test_an_attempt_count_set_by_a_producer_does_not_steer_retries(database, connection, amqp_url):
    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    calls = []

    async def handler(session, event: Envelope) -> None:
        calls.append(event.id)
        if len(calls) == 1:
            raise ConnectionError("not yet")

    subscription = Subscription(
        queue=queue_name, bindings=[(INTERNAL_EXCHANGE, "test.forged")], handlers={"test.forged": handler},
        max_attempts=3, retry_delays=[0.2],
    )
    consumer = Consumer(subscription, database, connection)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
        sent = an_event("test.forged")
        for forged in (99, "99:0000", "5:forged", -5):
            message = aio_pika.Message(sent.to_json(), content_type="application/cloudevents+json", headers={"x-kotopolku-attempt": forged})
            await exchange.publish(message, routing_key="test.forged")

        async def processed():
            async with database.session() as session:
                return await session.get(ProcessedEvent, (sent.source, sent.id)) is not None

        # A forged "99th attempt" would have been dead-lettered at its first failure.
        await eventually(processed, what="the event processed on its second attempt")
        assert await dead_letters(amqp_url, subscription.dead_letter_queue, timeout=1, wanted=1) == []
    finally:
        task.cancel()


async def test_an_integrity_error_that_is_not_a_duplicate_delivery_is_retried_not_dropped(database, connection):
    from sqlalchemy.exc import IntegrityError

    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    calls = []

    async def handler(session, event: Envelope) -> None:
        calls.append(event.id)
        if len(calls) == 1:  # e.g. a unique key taken by a concurrent writer
            raise IntegrityError("INSERT ...", {}, Exception("unique constraint"))

    subscription = Subscription(
        queue=queue_name, bindings=[(INTERNAL_EXCHANGE, "test.integrity")], handlers={"test.integrity": handler},
        retry_delays=[0.2],
    )
    consumer = Consumer(subscription, database, connection)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
        sent = an_event("test.integrity")
        await exchange.publish(aio_pika.Message(sent.to_json(), content_type="application/cloudevents+json"), routing_key="test.integrity")

        async def processed():
            async with database.session() as session:
                return await session.get(ProcessedEvent, (sent.source, sent.id)) is not None

        await eventually(processed, what="the event processed on its second attempt")
        assert calls == [sent.id, sent.id]
    finally:
        task.cancel()


async def test_an_event_its_handler_changed_nothing_for_leaves_no_inbox_row_and_none_is_applied_twice(database, connection):
    """The webhooks' queue sees every public event, and most are wanted by no subscription: such an
    event costs no write, nor a look into the inbox. One the handler wrote for is remembered as
    ever: its repeat changes nothing (what the handler wrote again is rolled back)."""
    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    calls: list[int] = []

    async def handler(session, event: Envelope) -> bool:
        calls.append(event.data["n"])
        if event.data["n"] != 1:
            return False
        add_event(session, an_event("test.recorded", 1), exchange=INTERNAL_EXCHANGE)  # wanted: something to record
        return True

    subscription = Subscription(
        queue=queue_name, bindings=[(INTERNAL_EXCHANGE, "test.maybe")], handlers={"test.maybe": handler}, inbox_only_when_written=True,
    )
    consumer = Consumer(subscription, database, connection, lanes=1)  # one lane: handled in the order sent
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        exchange = await (await connection.channel()).get_exchange(INTERNAL_EXCHANGE)
        unwanted, wanted = an_event("test.maybe", 0), an_event("test.maybe", 1)

        async def all_handled() -> bool:
            return len(calls) == 4

        with statements_sent(database) as statements:
            for sent in (unwanted, wanted, wanted, unwanted):
                await exchange.publish(aio_pika.Message(sent.to_json(), content_type="application/cloudevents+json"), routing_key="test.maybe")
            await eventually(all_handled, what="every delivery handled")
        inbox_reads = [statement for statement in statements if statement.startswith("SELECT") and "FROM inbox" in statement]
        assert calls == [0, 1, 1, 0]
        assert len(inbox_reads) == 2  # the wanted event's two deliveries; the unwanted ones read nothing
        async with database.session() as session:
            assert (await session.exec(select(ProcessedEvent.event_id))).all() == [wanted.id]
            assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 1
    finally:
        task.cancel()


async def test_a_consumer_waits_while_its_database_is_away_without_spending_attempts(database, connection, amqp_url):
    queue_name = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    database_away = True
    calls = []

    async def ready() -> None:
        if database_away:
            raise ConnectionRefusedError("the database does not answer")

    async def handler(session, event: Envelope) -> None:
        calls.append(event.id)
        if database_away:
            raise ConnectionRefusedError("the database does not answer")

    subscription = Subscription(
        queue=queue_name, bindings=[(INTERNAL_EXCHANGE, "test.outage")], handlers={"test.outage": handler},
        max_attempts=2, retry_delays=[0.1],  # bad data would be dead-lettered at its second failure
    )
    consumer = Consumer(subscription, database, amqp_url, ready=ready)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
        sent = [an_event("test.outage", n) for n in range(3)]
        for event in sent:
            await exchange.publish(aio_pika.Message(event.to_json(), content_type="application/cloudevents+json"), routing_key="test.outage")
        await asyncio.sleep(3)  # the outage: far longer than the whole retry budget
        assert calls == [sent[0].id]  # the consumer paused at the first failure and took nothing more
        database_away = False

        async def all_processed():
            async with database.session() as session:
                return all([await session.get(ProcessedEvent, (event.source, event.id)) for event in sent])

        await eventually(all_processed, what="every event processed once the database is back")
        assert calls == [sent[0].id, sent[0].id, sent[1].id, sent[2].id]  # in order, nothing twice
        assert await dead_letters(amqp_url, subscription.dead_letter_queue, timeout=1) == []
    finally:
        task.cancel()


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
    async with database.session() as session:
        for n in range(3):
            add_event(session, an_event(key, n), exchange=INTERNAL_EXCHANGE)
        await session.commit()
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
    async with database.session() as session:
        for n in range(2):
            add_event(session, an_event(key, n), exchange=INTERNAL_EXCHANGE)
        await session.commit()
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
    async with database.session() as session:
        for n in range(200):
            event = Envelope.new(type=key, source="urn:kotopolku:test", data={"n": n}, subject=f"case-{n % 10}")
            add_event(session, event, exchange=INTERNAL_EXCHANGE)
        await session.commit()
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
        async with database.session() as session:
            add_event(session, an_event("test.wake"), exchange=INTERNAL_EXCHANGE)
            await session.commit()
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
