"""The consumer against a real RabbitMQ and both databases: nothing lost, nothing twice, retries
with backoff, dead letters with reasons."""

from __future__ import annotations

import asyncio
import json
import uuid
from contextlib import asynccontextmanager
from typing import AsyncIterator

import aio_pika
from sqlalchemy import func
from sqlmodel import select

from shared.contracts import INTERNAL_EXCHANGE
from shared.consumer import Consumer
from shared.subscription import Rejected, Subscription
from shared.envelope import STRUCTURED_CONTENT_TYPE, Envelope
from shared.messaging import OutboxMessage, ProcessedEvent, add_event
from support import an_event, dead_letters, eventually, statements_sent


@asynccontextmanager
async def running(consumer: Consumer, connection) -> AsyncIterator[aio_pika.abc.AbstractExchange]:
    """The consumer at work, its queue declared; gives the internal exchange to publish to."""
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        yield await (await connection.channel()).get_exchange(INTERNAL_EXCHANGE)
    finally:
        task.cancel()


async def _declared(consumer: Consumer) -> bool:
    return consumer.channel is not None


def as_message(event: Envelope, **headers) -> aio_pika.Message:
    return aio_pika.Message(event.to_json(), content_type=STRUCTURED_CONTENT_TYPE, headers=headers or None)


async def was_processed(database, event: Envelope) -> bool:
    async with database.session() as session:
        return await session.get(ProcessedEvent, (event.source, event.id)) is not None


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
    async with running(Consumer(subscription, database, connection), connection) as exchange:
        for n in (1, 2, 3, 4):
            await exchange.publish(as_message(an_event("test.consume", n)), routing_key="test.consume")

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
    async with running(Consumer(subscription, database, connection), connection) as exchange:

        async def send(name: str) -> None:
            sent = Envelope.new(type="test.order", source="urn:kotopolku:test", data={"name": name})
            await exchange.publish(as_message(sent), routing_key="test.order")

        await send("long")
        await asyncio.wait_for(long_waits.wait(), timeout=10)
        await send("short")
        await asyncio.wait_for(done.wait(), timeout=10)
        assert seen == {"long": 2, "short": 2}  # the long wait is still waiting


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
    async with running(Consumer(subscription, database, connection), connection) as exchange:
        sent = an_event("test.forged")
        for forged in (99, "99:0000", "5:forged", -5):
            await exchange.publish(as_message(sent, **{"x-kotopolku-attempt": forged}), routing_key="test.forged")

        # A forged "99th attempt" would have been dead-lettered at its first failure.
        await eventually(lambda: was_processed(database, sent), what="the event processed on its second attempt")
        assert await dead_letters(amqp_url, subscription.dead_letter_queue, timeout=1, wanted=1) == []


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
    async with running(Consumer(subscription, database, connection), connection) as exchange:
        sent = an_event("test.integrity")
        await exchange.publish(as_message(sent), routing_key="test.integrity")
        await eventually(lambda: was_processed(database, sent), what="the event processed on its second attempt")
        assert calls == [sent.id, sent.id]


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
    async with running(consumer, connection) as exchange:
        unwanted, wanted = an_event("test.maybe", 0), an_event("test.maybe", 1)

        async def all_handled() -> bool:
            return len(calls) == 4

        with statements_sent(database) as statements:
            for sent in (unwanted, wanted, wanted, unwanted):
                await exchange.publish(as_message(sent), routing_key="test.maybe")
            await eventually(all_handled, what="every delivery handled")
        inbox_reads = [statement for statement in statements if statement.startswith("SELECT") and "FROM inbox" in statement]
        assert calls == [0, 1, 1, 0]
        assert len(inbox_reads) == 2  # the wanted event's two deliveries; the unwanted ones read nothing
        async with database.session() as session:
            assert (await session.exec(select(ProcessedEvent.event_id))).all() == [wanted.id]
            assert (await session.exec(select(func.count()).select_from(OutboxMessage))).one() == 1


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
    async with running(Consumer(subscription, database, amqp_url, ready=ready), connection) as exchange:
        sent = [an_event("test.outage", n) for n in range(3)]
        for event in sent:
            await exchange.publish(as_message(event), routing_key="test.outage")
        await asyncio.sleep(3)  # the outage: far longer than the whole retry budget
        assert calls == [sent[0].id]  # the consumer paused at the first failure and took nothing more
        database_away = False

        async def all_processed():
            return all([await was_processed(database, event) for event in sent])

        await eventually(all_processed, what="every event processed once the database is back")
        assert calls == [sent[0].id, sent[0].id, sent[1].id, sent[2].id]  # in order, nothing twice
        assert await dead_letters(amqp_url, subscription.dead_letter_queue, timeout=1) == []
