"""Consumer lag against a real RabbitMQ: the gauges an operator alarms on (deploy/prometheus/
alerts.yaml) count the messages waiting in a consumed queue, and say how long the oldest message
a consumer has taken has been in its hands; both fall back once the consumer catches up."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
from prometheus_client import REGISTRY

from shared import metrics
from shared.consumer import Consumer
from shared.subscription import Subscription
from shared.consumer_lag import measure_consumer_lag
from shared.contracts import INTERNAL_EXCHANGE
from shared.envelope import Envelope
from support import eventually, running


def gauge(name: str, queue: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"queue": queue})


async def test_waiting_messages_and_the_oldest_in_hand_are_measured(database, amqp_url):
    routing_key = f"test.lag.{uuid.uuid4().hex[:8]}"
    queue = f"kotopolku.test.{uuid.uuid4().hex[:8]}"
    release, handled = asyncio.Event(), []

    async def handler(session, event: Envelope) -> None:
        await release.wait()  # a slow handler: its message stays in hand
        handled.append(event.data["n"])

    subscription = Subscription(queue=queue, bindings=[(INTERNAL_EXCHANGE, routing_key)], handlers={routing_key: handler})
    consumer = Consumer(subscription, database, amqp_url, lanes=1)
    connection = await aio_pika.connect(amqp_url)
    task = None
    try:
        await consumer.declare()
        channel = await connection.channel()
        exchange = await channel.get_exchange(INTERNAL_EXCHANGE)
        for n in range(3):
            body = Envelope.new(type=routing_key, source="urn:kotopolku:test", data={"n": n}).to_json()
            await exchange.publish(aio_pika.Message(body, content_type="application/cloudevents+json"), routing_key=routing_key)

        async def waiting(count: int):
            await measure_consumer_lag(connection, [consumer])
            return gauge("kotopolku_consumer_messages_ready", queue) == count

        await eventually(lambda: waiting(3), what="three messages counted as waiting")
        assert gauge("kotopolku_consumer_oldest_in_hand_seconds", queue) == 0

        task = asyncio.create_task(consumer.run())

        async def held():
            await measure_consumer_lag(connection, [consumer])
            return gauge("kotopolku_consumer_messages_ready", queue) == 0 and gauge("kotopolku_consumer_oldest_in_hand_seconds", queue) > 0

        await eventually(held, what="the messages taken, the first one held by its handler")
        release.set()

        async def caught_up():
            await measure_consumer_lag(connection, [consumer])
            return handled == [0, 1, 2] and gauge("kotopolku_consumer_oldest_in_hand_seconds", queue) == 0

        await eventually(caught_up, what="the consumer to catch up")
        assert gauge("kotopolku_consumer_messages_ready", queue) == 0
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        channel = await connection.channel()
        for name in (queue, subscription.dead_letter_queue, *(subscription.retry_queue(d) for d in subscription.retry_delays)):
            await channel.queue_delete(name)
        await connection.close()
        await consumer._close_own_connection()


async def test_a_running_service_shows_the_lag_of_its_queues_at_metrics(embedded_settings):
    metrics.consumer_messages_ready.clear()  # what earlier tests of this process set does not count
    metrics.consumer_oldest_in_hand_seconds.clear()
    async with running(embedded_settings, ["notifications"]) as (runtime, http):
        queues = [subscription.queue for subscription in runtime.parts["notifications"].subscriptions]

        async def shown():
            text = (await http.get("/metrics")).text
            return all(f'kotopolku_consumer_messages_ready{{queue="{queue}"}}' in text for queue in queues) and text

        text = await eventually(shown, what="every consumed queue's lag at /metrics")
        assert all(f'kotopolku_consumer_oldest_in_hand_seconds{{queue="{queue}"}}' in text for queue in queues)
