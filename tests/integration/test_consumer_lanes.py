"""The consumer works in parallel lanes on the real broker and both databases: each client's
events are handled in the order they came, different clients' events at the same time, and each
is still committed with its inbox row before the ack."""

from __future__ import annotations

import asyncio
import random
import uuid

import aio_pika
from sqlalchemy import func
from sqlmodel import select

from shared.consumer import Consumer
from shared.subscription import Subscription, lane_of, person_of
from shared.contracts import INTERNAL_EXCHANGE
from shared.envelope import Envelope
from shared.messaging import ProcessedEvent, add_event
from support import eventually


def about(client_id: str, n: int, routing_key: str) -> Envelope:
    return Envelope.new(type=routing_key, source="urn:kotopolku:test", data={"client_id": client_id, "n": n})


async def publish(connection, routing_key: str, events: list[Envelope]) -> None:
    channel = await connection.channel(publisher_confirms=True)
    exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
    for event in events:
        message = aio_pika.Message(event.to_json(), content_type="application/cloudevents+json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
        await exchange.publish(message, routing_key=routing_key)
    await channel.close()


def subscription(routing_key: str, handler) -> Subscription:
    return Subscription(
        queue=f"kotopolku.test.{uuid.uuid4().hex[:8]}", bindings=[(INTERNAL_EXCHANGE, routing_key)], handlers={routing_key: handler},
        retry_delays=[0.2],
    )


async def test_each_clients_events_arrive_in_order_while_clients_run_in_parallel(database, connection):
    routing_key = "test.lanes.order"
    clients = [str(uuid.uuid4()) for _ in range(12)]
    seen: dict[str, list[int]] = {client: [] for client in clients}
    running = highest = 0

    async def handler(session, event: Envelope) -> None:
        nonlocal running, highest
        running += 1
        highest = max(highest, running)
        try:
            # Handlers take unequal time: a lane that kept no order would let a later event overtake.
            await asyncio.sleep(random.uniform(0, 0.01))
            add_event(session, Envelope.new(type="test.effect", source="urn:kotopolku:test", data=event.data), exchange=INTERNAL_EXCHANGE)
            seen[event.data["client_id"]].append(event.data["n"])
        finally:
            running -= 1

    consumer = Consumer(subscription(routing_key, handler), database, connection, lanes=8, in_flight=32)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        # Interleaved: client 0's event 0, client 1's event 0, …, client 0's event 1, …
        sent = [about(client, n, routing_key) for n in range(8) for client in clients]
        await publish(connection, routing_key, sent)

        async def all_committed():
            async with database.session() as session:
                return (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() == len(sent)

        await eventually(all_committed, what="every event committed with its inbox row")
        assert seen == {client: list(range(8)) for client in clients}
        assert highest > 1  # clients' events did run side by side
    finally:
        task.cancel()


async def test_one_clients_slow_event_does_not_hold_up_another_client(database, connection):
    routing_key = "test.lanes.block"
    slow = str(uuid.uuid4())
    # Another client whose events land in another lane (lanes are a stable hash of the person).
    other = next(client for client in (str(uuid.uuid4()) for _ in range(100)) if _lane(client, routing_key) != _lane(slow, routing_key))
    other_done, order = asyncio.Event(), []

    async def handler(session, event: Envelope) -> None:
        client = event.data["client_id"]
        if client == slow and event.data["n"] == 0:
            # Blocks its lane until the other client's event has been handled: a consumer taking
            # one message at a time never gets there.
            await asyncio.wait_for(other_done.wait(), timeout=20)
        order.append((client, event.data["n"]))
        if client == other:
            other_done.set()

    consumer = Consumer(subscription(routing_key, handler), database, connection, lanes=8, in_flight=32)
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: _declared(consumer), what="the consumer's queue")
        await publish(connection, routing_key, [about(slow, 0, routing_key), about(slow, 1, routing_key), about(other, 0, routing_key)])

        async def all_committed():
            async with database.session() as session:
                return (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() == 3

        await eventually(all_committed, what="all three events committed")
        # The other client went first; the slow client's second event waited for its first.
        assert order == [(other, 0), (slow, 0), (slow, 1)]
    finally:
        task.cancel()


def test_the_lane_is_the_person_however_the_event_holds_their_identity():
    def lane(data: dict, source: str = "urn:kotopolku:test") -> int:
        return lane_of(Envelope.new(type="t", source=source, data=data), 64)

    assert lane({"external_ref": "A-1"}) == lane({"person_ref": {"external_ref": "A-1"}})
    assert lane({"person": {"personal_identity_code": "010190-123A"}}) == lane({"person_ref": {"personal_identity_code": "010190-123A"}})
    assert lane({"client_id": "c-1", "n": 1}) == lane({"client_id": "c-1", "n": 2})
    # An external reference is the source's own: another source's "A-1" is another person.
    assert person_of(Envelope.new(type="t", source="urn:a", data={"external_ref": "A-1"})) != person_of(
        Envelope.new(type="t", source="urn:b", data={"external_ref": "A-1"})
    )
    assert lane({"n": 1}) == lane({"n": 2}) == 0  # no person named: one lane, in order


def _lane(client: str, routing_key: str) -> int:
    return lane_of(about(client, 0, routing_key), 8)


async def _declared(consumer: Consumer) -> bool:
    return consumer.channel is not None


async def test_two_queues_of_one_service_each_handle_the_same_event(database, connection):
    """A service's second queue for the same events (webhooks, client messages beside the case
    projection) keeps its own inbox rows: the event is handled once on each queue, not once in all."""
    routing_key = "test.lanes.two_queues"
    handled: list[str] = []

    def handler_of(name: str):
        async def handler(session, event: Envelope) -> None:
            handled.append(name)

        return handler

    first = subscription(routing_key, handler_of("projection"))
    second = subscription(routing_key, handler_of("webhooks"))
    second.inbox_scope = second.queue
    consumers = [Consumer(first, database, connection), Consumer(second, database, connection)]
    tasks = [asyncio.create_task(consumer.run()) for consumer in consumers]
    try:
        for consumer in consumers:
            await eventually(lambda consumer=consumer: _declared(consumer), what="the consumer's queue")
        event = about(str(uuid.uuid4()), 0, routing_key)
        await publish(connection, routing_key, [event, event])  # and a redelivered duplicate

        async def both_committed():
            async with database.session() as session:
                return (await session.exec(select(func.count()).select_from(ProcessedEvent))).one() == 2

        await eventually(both_committed, what="the event committed on both queues")
        await asyncio.sleep(0.3)  # the duplicate's turn: it must change nothing
        assert sorted(handled) == ["projection", "webhooks"]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
