"""Durable waiting inside a workflow: import-light, deterministic (Temporal's clock and timers only)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Callable

from temporalio import workflow


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
