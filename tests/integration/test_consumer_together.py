"""Events waiting in a lane are handled several in one transaction (SQLite's one writer then takes
one turn and one commit for them all), on the real broker and both databases: only events of
different people share one, each person's events keep their order, and when the transaction
fails nothing of it is kept and each event is handled alone, with its own outcome."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

from sqlalchemy import func
from sqlmodel import select

from shared.consumer import Consumer
from shared.subscription import Rejected
from shared.envelope import Envelope
from shared.messaging import OutboxMessage, ProcessedEvent, add_event
from shared.contracts import INTERNAL_EXCHANGE
from support import eventually
from test_consumer_lanes import _declared, about, publish, subscription


class Transactions:
    """Which events each transaction (session) handled, in the order they were handled."""

    def __init__(self) -> None:
        self.events: dict[uuid.UUID, list[tuple[str, int]]] = defaultdict(list)
        self.order: list[tuple[str, int]] = []

    async def note(self, session, event: Envelope) -> None:
        if not self.order:
            await asyncio.sleep(0.3)  # the first event holds the lane while the rest arrive behind it
        item = (event.data["client_id"], event.data["n"])
        self.events[session.info.setdefault("test_transaction", uuid.uuid4())].append(item)
        self.order.append(item)
        add_event(session, Envelope.new(type="test.effect", source="urn:kotopolku:test", data=event.data), exchange=INTERNAL_EXCHANGE)


async def committed(database, table=ProcessedEvent) -> int:
    async with database.session() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def consume(consumer: Consumer, connection, routing_key: str, events: list[Envelope], expected: int, database) -> None:
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        await publish(connection, routing_key, events)

        async def all_committed():
            return await committed(database) == expected

        await eventually(all_committed, what=f"{expected} events committed with their inbox rows")
        await asyncio.sleep(0.3)  # nothing more arrives after
        assert await committed(database) == expected
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_waiting_events_of_different_people_share_a_transaction(database, connection):
    routing_key = "test.together.people"
    seen = Transactions()
    people = [str(uuid.uuid4()) for _ in range(12)]
    consumer = Consumer(subscription(routing_key, seen.note), database, connection, lanes=1, together=16)
    await consume(consumer, connection, routing_key, [about(person, 0, routing_key) for person in people], 12, database)

    assert seen.order == [(person, 0) for person in people]  # in the order sent (one lane)
    assert max(len(handled) for handled in seen.events.values()) > 1  # several in one transaction
    assert await committed(database, OutboxMessage) == 12  # each one's effect, once


async def test_one_persons_events_never_share_a_transaction_and_keep_their_order(database, connection):
    routing_key = "test.together.one_person"
    seen = Transactions()
    person, others = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(4)]
    sent = [about(person, 0, routing_key)] + [about(other, 0, routing_key) for other in others] + [
        about(person, n, routing_key) for n in (1, 2, 3)
    ]
    consumer = Consumer(subscription(routing_key, seen.note), database, connection, lanes=1, together=16)
    await consume(consumer, connection, routing_key, sent, len(sent), database)

    assert [n for who, n in seen.order if who == person] == [0, 1, 2, 3]
    for handled in seen.events.values():
        assert len([who for who, _ in handled if who == person]) <= 1
    assert max(len(handled) for handled in seen.events.values()) > 1


async def test_a_refused_event_leaves_the_others_of_its_transaction_committed_once(database, connection):
    routing_key = "test.together.refused"
    seen = Transactions()
    people = [str(uuid.uuid4()) for _ in range(8)]
    bad = people[4]

    async def handler(session, event: Envelope) -> None:
        await seen.note(session, event)
        if event.data["client_id"] == bad:
            raise Rejected("this event can never be processed")

    consumer = Consumer(subscription(routing_key, handler), database, connection, lanes=1, together=16)
    await consume(consumer, connection, routing_key, [about(person, 0, routing_key) for person in people], 7, database)

    # The transaction that held the refused event was rolled back whole and its events handled
    # alone: each good event's effect is there once, the refused one's not at all.
    assert any(len(handled) > 1 and (bad, 0) in handled for handled in seen.events.values())
    assert await committed(database, OutboxMessage) == 7
    async with database.session() as session:
        inbox = {row.event_id for row in (await session.exec(select(ProcessedEvent))).all()}
    assert len(inbox) == 7
    channel = await connection.channel()
    dead = await channel.declare_queue(consumer.subscription.dead_letter_queue, durable=True)
    message = await dead.get(timeout=5)
    assert message.headers["x-kotopolku-error"] == "this event can never be processed"
    await channel.close()


async def test_an_event_already_processed_is_ignored_among_new_ones(database, connection):
    routing_key = "test.together.duplicate"
    seen = Transactions()
    people = [str(uuid.uuid4()) for _ in range(6)]
    events = [about(person, 0, routing_key) for person in people]
    consumer = Consumer(subscription(routing_key, seen.note), database, connection, lanes=1, together=16)
    await consume(consumer, connection, routing_key, events, 6, database)
    # The same events again, with two new ones among them: only the new ones have an effect.
    again = events[:3] + [about(str(uuid.uuid4()), 0, routing_key) for _ in range(2)] + events[3:]
    seen.order.clear()
    consumer = Consumer(consumer.subscription, database, connection, lanes=1, together=16)
    await consume(consumer, connection, routing_key, again, 8, database)
    assert await committed(database, OutboxMessage) == 8
