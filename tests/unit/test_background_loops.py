"""Kotopolku's background loops stop when their service stops, even when a commit wakes them at
the very moment they are cancelled (Python 3.11's `asyncio.wait_for` would swallow that
cancellation, and the service's shutdown would wait for the loop forever)."""

from __future__ import annotations

import asyncio

from services.notifications.service import CaseFeed
from shared.clock import wait_at_most
from shared.messaging import _relay_wakeups, run_relay


async def stops_when_cancelled(task: asyncio.Task) -> bool:
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2)
    return task in done and task.cancelled()


async def test_a_relay_woken_as_it_is_cancelled_stops():
    async def nothing_pending() -> int:
        return 0

    for _ in range(20):
        relay = asyncio.create_task(run_relay(nothing_pending, batch_size=10, poll_interval=30, what="test"))
        await asyncio.sleep(0.01)  # the relay waits for a commit
        for wakeup in list(_relay_wakeups):
            wakeup.set()  # a commit, in the same moment as the cancellation
        assert await stops_when_cancelled(relay)


async def test_a_live_stream_woken_as_it_is_cancelled_stops():
    feed = CaseFeed()
    for _ in range(20):
        stream = asyncio.create_task(feed.wait(30))
        await asyncio.sleep(0.01)
        await feed.notify()
        assert await stops_when_cancelled(stream)


async def test_waiting_at_most_ends_at_the_time_or_with_the_awaited():
    event, finished = asyncio.Event(), []

    async def awaited() -> None:
        await event.wait()
        finished.append(True)

    await wait_at_most(0.01, awaited())  # the time passes: no error, and the awaited did not finish
    assert finished == [] and not event.is_set()
    event.set()
    await wait_at_most(30, awaited())  # ends with the awaited, not with the time
    assert finished == [True]
