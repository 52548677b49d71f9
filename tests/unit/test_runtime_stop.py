"""Stopping ends: a background loop whose library swallows a cancellation still stops."""

import asyncio

from services.runner import _cancel_all


async def test_a_loop_that_swallows_one_cancellation_still_stops():
    rounds = []

    async def loop_that_swallows_a_cancellation():
        swallowed = False
        while True:
            rounds.append(1)
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed = True  # as Python 3.11's wait_for does when its call ends at that moment

    task = asyncio.create_task(loop_that_swallows_a_cancellation())
    await asyncio.sleep(0)
    still_running = await _cancel_all([task], grace=5.0)
    assert still_running == set()
    assert task.cancelled()
    assert len(rounds) == 2


async def test_a_loop_that_never_stops_is_named_after_the_grace_time():
    released = asyncio.Event()

    async def stubborn():
        while not released.is_set():
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                pass

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    still_running = await _cancel_all([task], grace=0.3)
    assert [t.get_name() for t in still_running] == ["stubborn"]
    released.set()  # the test's own clean-up
    task.cancel()
    await asyncio.wait([task])
