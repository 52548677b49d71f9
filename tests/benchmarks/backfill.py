"""A municipality's whole backlog at once: `--count` (10,000) registrations in one burst into
`kotopolku run` on its defaults (SQLite, the embedded Temporal dev server), as on the day a
register first connects.

    make benchmark-backfill   (or: .venv/bin/python tests/benchmarks/backfill.py --count 10000)

Reports, at every `--step` (1,000) clients on the live feed: the time since the burst began and
the memory (proportional set size) of Kotopolku's processes and of its Temporal server; then the time until everything the
burst set going is done (every path and assessment started) and the memory after it. Writes JSON
(`--output`). The target (issue 13): every case on the feed, the two together under 800 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import aio_pika

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from benchmark import BIN, Feed, Registrations, kotopolku, run_environment  # noqa: E402
from faults.waiting import true_within  # noqa: E402
from measuring import CpuUse, load, memory_mb, run_processes  # noqa: E402
from steady_load import _ready  # noqa: E402
from support import PRODUCER, free_port  # noqa: E402


async def backfill(base: str, viewer: str, amqp_url: str, count: int, step: int, processes: dict[str, list[int]]) -> dict:
    kotopolku_pids, temporal_pids = processes["kotopolku"] + processes["kotopolku_workers"], processes["temporal_server"]

    def memory() -> dict:
        return {"kotopolku": memory_mb(kotopolku_pids), "temporal_server": memory_mb(temporal_pids)}

    steps: list[dict] = []
    cpu = CpuUse(processes)
    connection = await aio_pika.connect(amqp_url)
    async with connection, Feed(base, viewer) as feed:
        registrations = Registrations(await connection.channel(publisher_confirms=True))
        await cpu.measure_idle()
        cpu.start()
        started = time.perf_counter()
        sent = await asyncio.gather(*(registrations.send() for _ in range(count)))
        clients = [client for client, _ in sent]
        published = time.perf_counter() - started
        for reached in range(step, count + step, step):
            reached = min(reached, count)
            deadline = time.perf_counter() + 1800
            while len(feed.seen) < reached and time.perf_counter() < deadline:
                feed.changed.clear()
                try:
                    await asyncio.wait_for(feed.changed.wait(), timeout=5)
                except TimeoutError:
                    pass
            steps.append({"on_feed": len(feed.seen), "seconds": round(time.perf_counter() - started, 1), "memory_mb": memory()})
            print(json.dumps(steps[-1]), flush=True)
            if len(feed.seen) < reached:
                break
        on_feed = sum(client in feed.seen for client in clients)
        await cpu.until_quiet(limit=1800)
        cpu.stop()
        done = time.perf_counter() - started
    after = memory()
    return {
        "count": count, "on_feed": on_feed, "missing": count - on_feed, "published_seconds": round(published, 1),
        "steps": steps, "all_done_seconds": round(done, 1), "memory_mb_after": after,
        "memory_mb_together": round(sum(after.values()), 1), "cpu_ms_each": cpu.per_item_ms(count),
    }


def print_report(report: dict) -> None:
    result = report["result"]
    print(f"\n{'on the feed':>11} {'seconds':>8} {'clients/s':>9} {'Kotopolku MB':>12} {'Temporal MB':>11}")
    for row in result["steps"]:
        print(f"{row['on_feed']:>11} {row['seconds']:>8} {round(row['on_feed'] / row['seconds'], 1):>9} "
              f"{row['memory_mb']['kotopolku']:>12} {row['memory_mb']['temporal_server']:>11}")
    after = result["memory_mb_after"]
    print(f"\n{result['on_feed']} of {result['count']} on the feed; everything done after {result['all_done_seconds']} s; "
          f"memory after: Kotopolku {after['kotopolku']} + Temporal {after['temporal_server']} = {result['memory_mb_together']} MB")
    cpu = result["cpu_ms_each"]
    print(f"CPU time each client: Kotopolku {cpu['kotopolku']} ms + its worker process {cpu.get('kotopolku_workers', 0)} ms"
          f" + Temporal {cpu['temporal_server']} ms")
    machine = report["machine"]
    print(f"Machine: {machine['cpus']} CPUs, load {machine['load_at_start']} at the start, {machine['load_at_end']} at the end")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--step", type=int, default=1_000)
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "benchmark-backfill.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-backfill-"))
    temporal_port, http_port = free_port(), free_port()
    env = run_environment(workdir, args.amqp_url, temporal_port, http_port)
    base = f"http://127.0.0.1:{http_port}"
    report: dict = {"date": date.today().isoformat(), "machine": {"cpus": os.cpu_count(), "load_at_start": load()}}
    kotopolku("sources", "add", PRODUCER, "--municipality", "109", env=env)
    viewer = kotopolku("dev-token", "--role", "coordinator", "--municipality", "109", env=env)
    server = subprocess.Popen([str(BIN / "kotopolku"), "run"], env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "kotopolku.log", "w"))
    try:
        if not await true_within(lambda: _ready(base), 120):
            raise SystemExit(f"kotopolku run did not start; see {workdir / 'kotopolku.log'}")
        report["result"] = await backfill(base, viewer, args.amqp_url, args.count, args.step, run_processes(server.pid))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    report["machine"]["load_at_end"] = load()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"Figures written to {args.output}")


if __name__ == "__main__":
    asyncio.run(main())
