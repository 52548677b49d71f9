"""Time as Kotopolku reads it: instants in UTC, calendar days in Finnish time.

Deadlines are calendar days in Finland (a deadline "on 20 January" ends at midnight in Helsinki),
so "today" is always the Finnish date, whatever the server's own time zone is.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone
from typing import Awaitable
from zoneinfo import ZoneInfo

FINNISH_TIME = ZoneInfo("Europe/Helsinki")


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Finland."""
    return datetime.now(FINNISH_TIME).date()


def start_of_day(day: date) -> datetime:
    """Midnight at the start of the day, Finnish time."""
    return datetime.combine(day, time(0), tzinfo=FINNISH_TIME)


def end_of_day(day: date) -> datetime:
    """The moment a deadline falling on the day has passed: the start of the next day."""
    return start_of_day(day + timedelta(days=1))


async def wait_at_most(seconds: float, waiting: Awaitable[object]) -> None:
    """Wait for `waiting`, but no longer than `seconds`. Background loops wait with this, not with
    `asyncio.wait_for`: on Python 3.11 that one drops a cancellation arriving just as the awaited
    thing finishes, and the loop then runs on past its service's shutdown."""
    try:
        async with asyncio.timeout(seconds):
            await waiting
    except TimeoutError:
        pass
