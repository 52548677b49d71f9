"""What `kotopolku run` and its worker process say on their socket (services/worker_process.py),
both ends in this process: the wakes, the metrics, `run` gone."""

from __future__ import annotations

import asyncio
import json
import socket

from services import worker_process
from services.worker_process import WorkerProcess, listen_to_run
from shared.messaging import wake_relays


class _WorkerRuntime:
    """The worker process's side of a runtime: which services' workflow commands it was told of."""

    def __init__(self) -> None:
        self.woken: list[str] = []
        self.told = asyncio.Event()

    def wake_workflow_commands(self, service: str) -> None:
        self.woken.append(service)
        self.told.set()


async def test_a_commit_in_run_wakes_the_worker_processs_relay_and_its_metrics_reach_run():
    runs_end, workers_end = socket.socketpair()
    run = WorkerProcess(pid=None, channel=runs_end, services=["intake"])  # no process: stop() only closes the socket
    workers, stop = _WorkerRuntime(), asyncio.Event()
    listening = asyncio.create_task(listen_to_run(workers_end, workers, stop))
    await run.connect()
    key = ("engine", "workflow_command")
    passing_on = asyncio.create_task(run.pass_on_commits("intake", key))
    await asyncio.sleep(0)
    try:
        wake_relays({key})  # what a commit that wrote a workflow command does
        await asyncio.wait_for(workers.told.wait(), timeout=5)
        assert workers.woken[0] == "intake"

        text = await run.metrics()
        assert text is not None and "process_cpu_seconds_total" in text
    finally:
        passing_on.cancel()
    await run.stop()  # `run` gone: the worker process's listener stops it
    await asyncio.wait_for(stop.wait(), timeout=5)
    await listening


async def test_metrics_not_answered_in_time_are_left_out_and_a_late_answer_is_not_taken_for_the_next(monkeypatch):
    monkeypatch.setattr(worker_process, "METRICS_WAIT_SECONDS", 0.2)
    runs_end, workers_end = socket.socketpair()
    run = WorkerProcess(pid=None, channel=runs_end, services=["intake"])  # no process: stop() only closes the socket
    await run.connect()
    reader, writer = await asyncio.open_connection(sock=workers_end)

    assert await run.metrics() is None  # nobody answered question 1
    assert (await reader.readline()) == b"metrics 1\n"
    writer.write(json.dumps([1, "late"]).encode() + b"\n")  # its answer comes late ...
    asking = asyncio.create_task(run.metrics())
    assert (await reader.readline()) == b"metrics 2\n"
    writer.write(json.dumps([2, "in time"]).encode() + b"\n")
    assert await asking == "in time"  # ... and is not taken for question 2's
    writer.close()
    await run.stop()


async def test_a_commit_after_the_worker_process_has_gone_ends_the_passing_on_quietly():
    """`run` learns that its worker process ended from watching the process, and ends; a commit in
    between finds the socket closed, which is no second error."""
    runs_end, workers_end = socket.socketpair()
    run = WorkerProcess(pid=None, channel=runs_end, services=["intake"])  # no process: as one that has ended
    await run.connect()
    workers_end.close()
    key = ("engine", "workflow_command")
    passing_on = asyncio.create_task(run.pass_on_commits("intake", key))
    await asyncio.sleep(0)
    for _ in range(3):  # the first write may still reach the socket's buffer
        wake_relays({key})
        await asyncio.sleep(0.05)
    assert await asyncio.wait_for(passing_on, timeout=5) is None
    await run.stop()
