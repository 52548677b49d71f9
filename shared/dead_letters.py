"""What lies in the dead-letter queues, and sending it back once the cause is fixed.

A message is dead-lettered with its reason (`x-kotopolku-error`) and the queue it came from
(`x-kotopolku-queue`). After the cause is fixed (a producing system registered, a bug fixed, a
database restored), an operator replays the queue: each message goes back to the queue it came
from with Kotopolku's own headers removed, so it gets a fresh set of attempts. Replaying twice
does no harm: consumers remember the events they processed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import aio_pika

from shared.consumer import ERROR_HEADER, own_headers

QUEUE_HEADER = "x-kotopolku-queue"


@dataclass
class DeadLetterSummary:
    queue: str
    count: int
    reasons: Counter  # reason -> how many (the first 120 characters of each)


async def summarise(amqp_url: str, queue: str, *, look_at: int = 1000) -> DeadLetterSummary:
    """How many messages wait and why; the messages stay where they are."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        count = declared.declaration_result.message_count
        reasons: Counter = Counter()
        taken = []
        for _ in range(min(count, look_at)):
            message = await declared.get(fail=False, no_ack=False)
            if message is None:
                break
            taken.append(message)
            reasons[str((message.headers or {}).get(ERROR_HEADER, "(no reason)"))[:120]] += 1
        for message in taken:
            await message.nack(requeue=True)
    return DeadLetterSummary(queue, count, reasons)


async def replay(amqp_url: str, queue: str, *, limit: int | None = None) -> int:
    """Send dead letters back to the queues they came from; how many were sent."""
    connection = await aio_pika.connect(amqp_url)
    sent = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        declared = await channel.declare_queue(queue, durable=True)
        while limit is None or sent < limit:
            message = await declared.get(fail=False, no_ack=False)
            if message is None:
                break
            origin = (message.headers or {}).get(QUEUE_HEADER)
            if not origin:
                await message.nack(requeue=True)  # not one of ours: left for a person to look at
                break
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers=own_headers(message),
                    content_type=message.content_type,
                    message_id=message.message_id,
                    type=message.type,
                    user_id=message.user_id,
                    timestamp=message.timestamp,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=str(origin),
            )
            await message.ack()
            sent += 1
    return sent
