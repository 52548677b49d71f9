"""What Kotopolku's workflows share: durable waiting, reminder times, refusals of staff commands.
Import-light and deterministic (Temporal's clock and timers only): the sandbox imports it."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from shared.clock import FINNISH_TIME

REMINDER_TIME = time(8, 0)  # Finnish time: reminders arrive at the start of a working day


async def wait_until(condition: Callable[[], bool], moment: datetime) -> bool:
    """A durable timer that a signal or a command can cut short: True when the condition came
    true before the moment, False when the moment came."""
    remaining = (moment - workflow.now()).total_seconds()
    if remaining <= 0:
        return condition()
    try:
        await workflow.wait_condition(condition, timeout=timedelta(seconds=remaining))
        return True
    except asyncio.TimeoutError:
        return False


def at_reminder_time(day: date) -> datetime:
    return datetime.combine(day, REMINDER_TIME, tzinfo=FINNISH_TIME)


def refuse(code: str, reason: str, status: int = 409, **params: Any) -> ApplicationError:
    """A refused staff command: the HTTP side answers `status` with the catalogue text of `code`
    (shared/staff_commands.py)."""
    return ApplicationError(reason, {"status": status, "params": params}, type=code, non_retryable=True)
