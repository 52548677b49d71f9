"""Consumer lag, what an operator alarms on when events pile up unhandled: how many messages wait
in each queue this process consumes (RabbitMQ's count of ready messages, asked by a passive
declare, which changes nothing), and how long the oldest message a consumer has taken has been in
its hands (a lane stuck on one message shows here while the queue itself may look short)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from aio_pika.abc import AbstractConnection

from shared import metrics
from shared.consumer import Consumer

# One look at the broker every so often, not one per scrape (Prometheus may scrape often, and
# every replica would ask).
LAG_INTERVAL_SECONDS = 15.0
CLOSE_WAIT_SECONDS = 2.0


async def measure_consumer_lag(connection: AbstractConnection, consumers: Sequence[Consumer]) -> None:
    """Sets the lag gauges of these consumers' queues once, on a channel of its own."""
    channel = await connection.channel()
    try:
        for consumer in consumers:
            name = consumer.subscription.queue
            queue = await channel.declare_queue(name, passive=True)
            metrics.consumer_messages_ready.labels(name).set(queue.declaration_result.message_count or 0)
            metrics.consumer_oldest_in_hand_seconds.labels(name).set(consumer.oldest_in_hand_seconds())
    finally:
        if not channel.is_closed:
            # Stopping never waits on the broker for this: closing the connection ends the channel too.
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_WAIT_SECONDS):
                    await channel.close()


async def run_consumer_lag(connection: AbstractConnection, consumers: Sequence[Consumer], interval: float = LAG_INTERVAL_SECONDS) -> None:
    """Keeps the gauges current; an error (the broker away) ends it, and its supervisor starts it again."""
    while True:
        await measure_consumer_lag(connection, consumers)
        await asyncio.sleep(interval)
