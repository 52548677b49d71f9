"""Time as Kotopolku reads it: instants in UTC, calendar days in Finnish time.

Deadlines are calendar days in Finland (a deadline "on 20 January" ends at midnight in Helsinki),
so "today" is always the Finnish date, whatever the server's own time zone is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
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
