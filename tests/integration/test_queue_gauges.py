"""A consumer measures how many messages wait in its queue (its lag) and in its dead-letter queue,
for the operator's gauges (deploy/prometheus/alerts.yaml), on the real broker."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
from prometheus_client import REGISTRY

from shared import consumer as consumer_module
from shared.consumer import Consumer, Subscription
from support import eventually


async def test_a_consumer_measures_its_queue_and_its_dead_letters(database, amqp_url, monkeypatch):
    monkeypatch.setattr(consumer_module, "DEPTH_INTERVAL", 0.1)
    subscription = Subscription(queue=f"gauges-{uuid.uuid4().hex[:8]}", bindings=[], handlers={})
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        await channel.declare_queue(subscription.dead_letter_queue, durable=True)
        for _ in range(2):  # waiting for a person already
            await channel.default_exchange.publish(aio_pika.Message(b"dead"), routing_key=subscription.dead_letter_queue)
        consuming = asyncio.create_task(Consumer(subscription, database, amqp_url).run())
        async def first_measured():
            return _gauge("kotopolku_queue_messages", subscription.queue) is not None

        await eventually(first_measured, what="the queue measured")
        for _ in range(3):  # not events at all: dead-lettered with their reason
            await channel.default_exchange.publish(aio_pika.Message(b"not an event"), routing_key=subscription.queue)

        async def measured():
            return (_gauge("kotopolku_dead_letter_messages", subscription.dead_letter_queue) == 5
                    and _gauge("kotopolku_queue_messages", subscription.queue) == 0)

        await eventually(measured, what="three more dead letters measured, and nothing left waiting")
        consuming.cancel()
        await asyncio.gather(consuming, return_exceptions=True)
        await channel.queue_delete(subscription.dead_letter_queue)
        await channel.queue_delete(subscription.queue)
    finally:
        await connection.close()


def _gauge(name: str, queue: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"queue": queue})
