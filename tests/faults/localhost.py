"""What the fault suite (tests/faults/run.py) and the steady-load benchmark
(tests/benchmarks/steady_load.py) both need to run servers of their own on this machine: a free
port, whether a port answers, and waiting until something is true."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Awaitable, Callable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def eventually(check: Callable[[], bool | Awaitable[bool]], timeout: float) -> bool:
    """Whether `check` (plain or async) came true within `timeout` seconds, asked every 0.3 s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return True
        await asyncio.sleep(0.3)
    return False
