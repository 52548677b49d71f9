"""Waiting in the scripts that run servers of their own (the fault suite, tests/faults/run.py, and
the steady-load benchmark, tests/benchmarks/steady_load.py). Unlike support.eventually, made for
tests, a check may be plain or async and the caller says what a timeout means."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable


async def true_within(check: Callable[[], bool | Awaitable[bool]], timeout: float) -> bool:
    """Whether `check` came true within `timeout` seconds, asked every 0.3 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return True
        await asyncio.sleep(0.3)
    return False
