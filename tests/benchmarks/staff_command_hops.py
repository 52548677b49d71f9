"""Where a staff command's time goes, hop by hop, on `kotopolku run`'s defaults.

    .venv/bin/python tests/benchmarks/staff_command_hops.py --burst 300 --commands 100

Starts `kotopolku run` as `make benchmark` does, registers `--burst` clients, then `--staff` (5)
staff at once, each giving the next command as soon as the last is answered (or `--pause`
seconds later: `--staff 1 --pause 0.5` is one caseworker on a quiet day), start the assessments
of the first `--commands` cases (their workflows have left the worker's cache, as a real
caseworker's cases have). Each command's send and answer times are matched with
its assessment's history, whose events carry the Temporal server's times (the same clock): the
hops before the update reaches the workflow, the update's two workflow tasks and intake's
activity between them, and the wait for the projection after. Prints p50, p90 and p99 per hop
and the CPU time each command cost each process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aio_pika
import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import (  # noqa: E402
    BIN, PRODUCER, STAFF, CpuUse, Feed, Registrations, _ready, free_port, kotopolku, kotopolku_burst, run_environment, run_processes, true_within,
)
from measuring import percentile, profiling, top_functions  # noqa: E402
from shared.contracts import assessment_workflow_id  # noqa: E402

HOPS = {
    "to_task": "request → the update's workflow task scheduled (HTTP, the case check, the update's call)",
    "task_waits": "that workflow task waits for the worker",
    "task_runs": "that workflow task runs, until intake's activity is scheduled",
    "activity_waits": "intake's activity waits for the worker",
    "activity_runs": "intake's activity (record_case_change)",
    "next_task_waits": "the next workflow task waits",
    "next_task_runs": "it runs: the record's local activity, the update's answer",
    "projection": "update answered → HTTP answer (projection, read, access log)",
    "whole": "the whole command",
}


def hops(events: list, sent: float, answered: float) -> dict[str, float]:
    """The hops of the last update in an assessment's history (event times, seconds)."""
    def at(index: int) -> float:
        return events[index].event_time.ToDatetime().timestamp()

    def first(kind: int, after: int) -> int:
        return next(i for i in range(after, len(events)) if events[i].event_type == kind)

    accepted = max(i for i, e in enumerate(events) if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    scheduled = max(i for i in range(accepted) if events[i].event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    started = first(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, scheduled)
    activity = first(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, accepted)
    activity_started = first(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, activity)
    activity_done = first(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, activity)
    next_task = first(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, activity_done)
    next_started = first(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, next_task)
    completed = first(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, accepted)
    return {
        "to_task": at(scheduled) - sent,
        "task_waits": at(started) - at(scheduled),
        "task_runs": at(activity) - at(started),
        "activity_waits": at(activity_started) - at(activity),
        "activity_runs": at(activity_done) - at(activity_started),
        "next_task_waits": at(next_started) - at(next_task),
        "next_task_runs": at(completed) - at(next_started),
        "projection": answered - at(completed),
        "whole": answered - sent,
    }


def ms_at(values: list[float], share: float) -> float:
    return round(1000 * percentile(sorted(values), share), 1)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=300, help="clients registered first")
    parser.add_argument("--commands", type=int, default=100, help="staff commands in all, on the first cases")
    parser.add_argument("--staff", type=int, default=STAFF, help="staff giving commands at once (each the next as soon as the last is answered)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds each staff member waits before the next command")
    parser.add_argument("--profile", action="store_true", help="sample `run` and its worker process with py-spy during the commands")
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-staff-hops-"))
    temporal_port, http_port = free_port(), free_port()
    env = run_environment(workdir, args.amqp_url, temporal_port, http_port)
    base = f"http://127.0.0.1:{http_port}"
    kotopolku("sources", "add", PRODUCER, "--municipality", "109", env=env)
    viewer = kotopolku("dev-token", "--role", "coordinator", "--municipality", "109", env=env)
    tokens = [kotopolku("dev-token", "--role", "caseworker", "--municipality", "109", "--sub", f"hops-{i}", env=env) for i in range(args.staff)]
    server = subprocess.Popen([str(BIN / "kotopolku"), "run"], env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "kotopolku.log", "w"))
    profilers: dict[str, subprocess.Popen] = {}
    try:
        if not await true_within(lambda: _ready(base), 120):
            raise SystemExit(f"kotopolku run did not start; see {workdir / 'kotopolku.log'}")
        processes = run_processes(server.pid)
        connection = await aio_pika.connect(args.amqp_url)
        async with connection, Feed(base, viewer) as feed:
            registrations = Registrations(await connection.channel(publisher_confirms=True))
            _, clients = await kotopolku_burst(registrations, feed, args.burst, 1.0, CpuUse(processes))
            cases = [feed.case_of[client] for client in clients[: args.commands]]
        cpu = CpuUse(processes)
        await cpu.measure_idle()
        cpu.start()
        if args.profile:
            profilers = profiling(processes, workdir)
        times: dict[str, tuple[float, float, int]] = {}  # sent, answered, its place in the staff member's turn

        async def staff(token: str, mine: list[str]) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
                for turn, case_id in enumerate(mine):
                    sent = time.time()
                    response = await client.post(f"/api/v1/cases/{case_id}/assessment/start", json={})
                    if response.status_code == 200:
                        times[case_id] = (sent, time.time(), turn)
                    await asyncio.sleep(args.pause)

        await asyncio.gather(*(staff(token, cases[i::args.staff]) for i, token in enumerate(tokens)))
        cpu.stop()
        for profiler in profilers.values():
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        temporal = await Client.connect(f"127.0.0.1:{temporal_port}")
        rows = []
        for case_id, (sent, answered, turn) in times.items():
            history = await temporal.get_workflow_handle(assessment_workflow_id(uuid.UUID(case_id))).fetch_history()
            rows.append(hops(list(history.events), sent, answered) | {"turn": turn})
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    print(f"{len(rows)} commands answered 200 of {len(cases)}; ms")
    print(f"{'hop':<92} {'p50':>7} {'p90':>7} {'p99':>7}")
    for key, what in HOPS.items():
        values = [row[key] for row in rows]
        print(f"{what:<92} {ms_at(values, 0.5):>7} {ms_at(values, 0.9):>7} {ms_at(values, 0.99):>7}")
    print("CPU time per command, ms:", cpu.per_item_ms(len(rows)))
    print("\nThe five slowest commands, ms per hop (" + ", ".join(HOPS) + "):")
    for row in sorted(rows, key=lambda row: row["whole"], reverse=True)[:5]:
        print("  " + " ".join(f"{1000 * row[key]:7.1f}" for key in HOPS) + f"   turn {row['turn']}")
    for name in profilers:
        profile = top_functions(workdir / f"profile-{name}.txt", limit=25)
        print(f"\n{name}, {profile['samples']} samples holding the interpreter; % on top (self), then % anywhere (Kotopolku's own):")
        for frame, share in profile["self"]:
            print(f"  {share:5.1f}  {frame}")
        for frame, share in profile["total"]:
            print(f"  {share:5.1f}  {frame}")


if __name__ == "__main__":
    asyncio.run(main())
