"""What two workflows per client cost the Temporal server, by how they start: the second as the
first's child, or both started by the client, with or without an eager first step.

    .venv/bin/python tests/benchmarks/workflow_shapes.py [--pairs 300] [--rounds 2]

Each pair is a client's path and its assessment in miniature: the first waits for a signal (as the
path waits for the assessment's outcome); the second writes its record by a local activity and
sets a long timer (as the assessment does when it opens). Shapes:
- `child`: the first starts the second as its child (Kotopolku's paths before 2026-12-07);
- `beside`: the client starts both (intake's relay since 2026-12-07);
- `beside, eager`: the same, each start asking for its first step in the answer (the start comes
  from a process that runs the task queue's worker).
Each round runs every shape on a fresh embedded server with `kotopolku run`'s settings, and
reports the server's CPU time per pair: a figure that moves far less than rates when other work
shares the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

for folder in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parents[1], Path(__file__).resolve().parent):
    sys.path.insert(0, str(folder))  # Kotopolku, the tests' support, the benchmarks' measuring

from measuring import cpu_seconds  # noqa: E402
from shared.temporal import embedded_server_options  # noqa: E402
from support import free_port  # noqa: E402

TEMPORAL = str(Path(sys.executable).with_name("temporal"))
SHAPES = ("child", "beside", "beside, eager")
opened = 0  # second workflows that have written their record


@activity.defn
async def save_record(_: str) -> None:
    global opened
    opened += 1


@workflow.defn(name="Second")
class Second:
    @workflow.run
    async def run(self, _: str) -> None:
        await workflow.execute_local_activity(save_record, "record", start_to_close_timeout=timedelta(seconds=10))
        await workflow.sleep(timedelta(days=30))


@workflow.defn(name="First")
class First:
    def __init__(self) -> None:
        self.told = False

    @workflow.run
    async def run(self, shape: str) -> None:
        if shape == "child":
            await workflow.start_child_workflow(
                "Second", "input", id="second-" + workflow.info().workflow_id, task_queue="second",
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        await workflow.wait_condition(lambda: self.told)

    @workflow.signal
    def outcome(self) -> None:
        self.told = True


async def one_shape(shape: str, pairs: int, workdir: Path) -> dict:
    global opened
    opened = 0
    port = free_port()
    server = subprocess.Popen(
        [TEMPORAL, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
         "--db-filename", str(workdir / f"temporal-{port}.db"), *embedded_server_options(), "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                client = await Client.connect(f"127.0.0.1:{port}")
                break
            except RuntimeError:
                await asyncio.sleep(0.3)
        else:
            raise SystemExit("the Temporal dev server did not start")
        runner = UnsandboxedWorkflowRunner()
        async with Worker(client, task_queue="first", workflows=[First], workflow_runner=runner), \
                Worker(client, task_queue="second", workflows=[Second], activities=[save_record], workflow_runner=runner):
            await asyncio.sleep(2)
            server_before, started = cpu_seconds(server.pid), time.monotonic()
            calls = asyncio.Semaphore(20)  # as the relay's IN_FLIGHT

            async def start(number: int) -> None:
                first_id = f"first-{uuid.uuid4()}"
                async with calls:
                    if shape == "child":
                        await client.start_workflow("First", shape, id=first_id, task_queue="first")
                        return
                    eager = shape == "beside, eager"
                    await asyncio.gather(
                        client.start_workflow("First", shape, id=first_id, task_queue="first", request_eager_start=eager),
                        client.start_workflow("Second", "input", id=f"second-{first_id}", task_queue="second", request_eager_start=eager),
                    )

            await asyncio.gather(*(start(number) for number in range(pairs)))
            while opened < pairs:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.0)  # what the last steps left for the server (timers, visibility)
            seconds = time.monotonic() - started
            server_ms = 1000 * (cpu_seconds(server.pid) - server_before) / pairs
        return {"shape": shape, "pairs_per_second": round(pairs / seconds, 1), "server_cpu_ms_per_pair": round(server_ms, 1)}
    finally:
        server.terminate()
        server.wait(timeout=30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-workflow-shapes-"))
    print(f"{'round':>5}  {'shape':<14} {'pairs/s':>8} {'server CPU ms a pair':>21}")
    for number in range(1, args.rounds + 1):
        for shape in SHAPES:
            row = await one_shape(shape, args.pairs, workdir)
            print(f"{number:>5}  {shape:<14} {row['pairs_per_second']:>8} {row['server_cpu_ms_per_pair']:>21}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
