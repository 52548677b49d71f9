"""`kotopolku run`'s Temporal workers in a second process, and what passes between the two.

`run` forks the worker process once the databases are migrated; the two hold the ends of one
local socket, on which `run` says two things, one line each:
- `wake <service>`: a transaction of `run` (a registration, a staff request, an admin's replay)
  committed a workflow command of the service. The worker process sends the service's workflow
  commands (`run` sends none of its own): a start sent from the process that runs the task
  queue's worker is eager, its first workflow task comes back with the answer instead of through
  the server's queue, which took a third of the Temporal server's CPU time per client in
  `make benchmark` (docs/benchmarks.md, 2026-12-07, later).
- `metrics <n>`: the worker process answers with its metrics (one line: `[n, exposition]`), and
  `run`'s `/metrics` shows them beside its own, labelled `process="workers"`.
The socket also tells the worker process that `run` is gone, whatever way it ended (kill -9
included): it reads as closed, and the worker process stops.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import time
from typing import Hashable

import structlog
from prometheus_client import generate_latest

from services.runner import STOP_GRACE_SECONDS, Runtime, StartupError, run_until_stopped, settle_memory
from shared.messaging import relay_wakeup
from shared.settings import Settings

log = structlog.get_logger(__name__)

# Lines up to this long pass on the socket (the worker process's metrics are one line).
LINE_LIMIT = 1 << 24
# How long `run`'s /metrics waits for the worker process's (busy, it answers late: left out).
METRICS_WAIT_SECONDS = 2.0


class WorkerProcess:
    """`kotopolku run`'s Temporal workers in a second process, forked from `run` once the databases
    are migrated: on a machine with more than one core the workflows and activities no longer wait
    for the HTTP requests, consumers and live feed on one interpreter, nor they for the workflows
    (docs/benchmarks.md). Forked rather than started afresh, it shares the modules `run` has loaded.

    The two end together. `run` stops it in order when it stops itself; it stops when `run` is gone
    in any way, kill -9 included (the socket only `run` holds the other end of reads as closed);
    and when it ends on its own, `run` ends too (non-zero), as when a Temporal worker stops in one
    process, so that a supervisor starts the pair again. Ctrl-C reaches both: this one leaves it
    to `run`."""

    STOP_WITHIN = STOP_GRACE_SECONDS + 15.0  # its workers' shutdown, then its loops' grace

    def __init__(self, pid: int | None, channel: socket.socket, services: list[str]) -> None:
        self.pid: int | None = pid
        self.services = services  # whose workers (and workflow-command relays) it runs
        self._channel: socket.socket | None = channel  # kept open while `run` lives
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        self._asking = asyncio.Lock()  # one question about metrics at a time
        self._asked = 0
        self.status: int | None = None

    @classmethod
    def fork(cls, settings: Settings, services: list[str]) -> "WorkerProcess":
        """Call with no other thread running: after the migration, before the HTTP server starts."""
        if not hasattr(os, "pidfd_open"):
            raise StartupError("a worker process needs Linux: set KOTOPOLKU_RUN_WORKER_PROCESS=false")
        settle_memory()  # what both use stays untouched by the collector, so its pages stay shared
        runs_end, workers_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            runs_end.close()
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                runtime = Runtime(settings, services, consumers=False)
                listen = lambda stop: listen_to_run(workers_end, runtime, stop)  # noqa: E731
                asyncio.run(run_until_stopped(runtime, stop_signals=(signal.SIGTERM,), parent=listen))
                code = 0
            except StartupError as error:
                log.error("the worker process stops", error=str(error))
            except BaseException:
                log.exception("the worker process failed")
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)  # never back into `run`'s own code
        workers_end.close()
        log.info("worker process started", pid=pid, services=services)
        return cls(pid, runs_end, services)

    # --- what `run` says to it --------------------------------------------------------------------

    async def connect(self) -> None:
        """On `run`'s event loop, before anything is said (`Runtime.start`)."""
        if self._streams is None and self._channel is not None:
            self._streams = await asyncio.open_connection(sock=self._channel, limit=LINE_LIMIT)

    def _stream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None:
            raise ConnectionError("the worker process is not connected")
        return self._streams

    async def _say(self, line: str) -> None:
        _, writer = self._stream()
        writer.write(line.encode() + b"\n")
        await writer.drain()

    async def pass_on_commits(self, service: str, key: Hashable) -> None:
        """Runs while `run` does: each commit of `run` that wrote a workflow command of `service`
        (its outbox `key`) wakes the worker process's relay of them. Commits made while a wake is
        on its way are told by the next one."""
        with relay_wakeup(key) as written:
            while True:
                await written.wait()
                written.clear()
                try:
                    await self._say(f"wake {service}")
                except (OSError, RuntimeError):
                    if self._reaped():
                        return  # the worker process has ended: `wait_until_ended` says so, and `run` ends
                    raise

    async def metrics(self) -> str | None:
        """The worker process's metrics (their exposition), or None when it does not answer soon."""
        async with self._asking:
            self._asked += 1
            asked = self._asked
            try:
                await self._say(f"metrics {asked}")
                reader, _ = self._stream()
                async with asyncio.timeout(METRICS_WAIT_SECONDS):
                    while line := await reader.readline():  # a whole line or nothing, even when cut off
                        number, text = json.loads(line)
                        if number == asked:  # not the late answer to an earlier question
                            return text
            except (TimeoutError, OSError, ValueError) as error:
                log.warning("the worker process's metrics are left out", error=str(error) or type(error).__name__)
            return None

    # --- its life ---------------------------------------------------------------------------------

    def _reaped(self) -> bool:
        """True once the process has ended (its status collected)."""
        if self.pid is None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.pid, self.status = None, os.waitstatus_to_exitcode(status)
        return True

    async def check(self) -> None:
        if self._reaped():
            raise ConnectionError(f"the worker process ended ({self.status})")

    async def wait_until_ended(self) -> None:
        """Returns never while the process runs: raises once it has ended."""
        if self.pid is not None:
            ended = asyncio.Event()
            loop = asyncio.get_running_loop()
            handle = os.pidfd_open(self.pid)
            loop.add_reader(handle, ended.set)
            try:
                await ended.wait()
            finally:
                loop.remove_reader(handle)
                os.close(handle)
        self._reaped()
        raise RuntimeError(f"the worker process ended ({self.status})")

    async def stop(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + self.STOP_WITHIN
            while not self._reaped() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if not self._reaped():
                log.error("the worker process did not stop; killed", pid=self.pid)
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                self.pid = None
        if self._streams is not None:
            self._streams[1].close()
        elif self._channel is not None:
            self._channel.close()
        self._streams = self._channel = None


async def listen_to_run(channel: socket.socket, runtime: Runtime, stop: asyncio.Event) -> None:
    """In the worker process: does what `run` says until `run` is gone (the socket reads as
    closed), then sets `stop`."""
    try:
        reader, writer = await asyncio.open_connection(sock=channel, limit=LINE_LIMIT)
        while line := await reader.readline():
            what, _, detail = line.decode().strip().partition(" ")
            if what == "wake":
                runtime.wake_workflow_commands(detail)
            elif what == "metrics":
                writer.write(json.dumps([int(detail), generate_latest().decode()]).encode() + b"\n")
                await writer.drain()
    except OSError as error:
        log.warning("run is not reachable", error=str(error))
    finally:
        stop.set()  # whatever way `run` ended
