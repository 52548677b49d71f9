"""Kotopolku beyond one process: the services as separate `serve` and `worker` processes on
PostgreSQL, with 1, 2 and 4 worker processes per task queue.

    make benchmark-processes   (or: .venv/bin/python tests/benchmarks/processes.py --workers 1,2,4 --burst 300)

For each number of workers, on fresh databases, a fresh RabbitMQ virtual host and a fresh
Temporal dev server (SQLite in WAL mode, as `kotopolku run` starts it):
  - one `kotopolku serve <service>` process for each of the four services;
  - N `kotopolku worker <service>` processes for each service with workflows (intake, assessment,
    planning);
  - a burst of `--burst` registrations → every case on the notifications service's live feed
    (clients/s), and the time until everything the burst set going is done (every path and
    assessment started, the machine quiet again);
  - the CPU time each client cost each kind of process, and the raw Temporal rate of the same
    server in the same round: where the next limit is.
Prints one table, writes JSON (`--output`). Needs RabbitMQ (with `rabbitmqctl`, for the virtual
host) and PostgreSQL, as `make test` does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
import asyncpg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from benchmark import BIN, Feed, Registrations, kotopolku, kotopolku_burst  # noqa: E402
from raw import raw_temporal_burst  # noqa: E402
from faults.waiting import true_within  # noqa: E402
from measuring import CpuUse, load  # noqa: E402
from steady_load import _ready, rss_mb  # noqa: E402
from support import PRODUCER, free_port, port_open  # noqa: E402

from shared.temporal import embedded_server_options  # noqa: E402

SERVICES = ("intake", "assessment", "planning", "notifications")
WITH_WORKFLOWS = ("intake", "assessment", "planning")


class Round:
    """One deployment: its own databases, virtual host and Temporal server, torn down after."""

    def __init__(self, workers: int, postgres_url: str, amqp_url: str, workdir: Path) -> None:
        self.workers, self.postgres_url, self.amqp_base, self.workdir = workers, postgres_url, amqp_url, workdir
        self.tag = f"bench{uuid.uuid4().hex[:8]}"
        self.processes: dict[str, list[subprocess.Popen]] = {}
        self.temporal: subprocess.Popen | None = None
        self.ports = {service: free_port() for service in SERVICES}
        self.temporal_port = free_port()

    # -- set up -----------------------------------------------------------------------------

    async def __aenter__(self) -> "Round":
        self.workdir.mkdir(parents=True, exist_ok=True)
        rabbitmqctl(["add_vhost", self.tag])
        rabbitmqctl(["set_permissions", "-p", self.tag, "guest", ".*", ".*", ".*"])
        self.amqp_url = self.amqp_base.rstrip("/") + "/" + self.tag
        admin = await asyncpg.connect(plain_postgres(self.postgres_url))
        try:
            for service in SERVICES:
                await admin.execute(f'CREATE DATABASE "{self.tag}_{service}"')
        finally:
            await admin.close()
        self.env = {
            **os.environ,
            "KOTOPOLKU_VAR_DIR": str(self.workdir / "var"),
            "KOTOPOLKU_AMQP_URL": self.amqp_url,
            "KOTOPOLKU_TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal_port}",
            "KOTOPOLKU_LOG_LEVEL": "WARNING",
            **{f"KOTOPOLKU_{service.upper()}_DATABASE_URL": self.database_url(service) for service in SERVICES},
        }
        self.env.pop("KOTOPOLKU_DATABASE_URL", None)
        self._start_temporal()
        kotopolku("migrate", env=self.env)
        kotopolku("sources", "add", PRODUCER, "--municipality", "109", env=self.env)
        self.viewer = kotopolku("dev-token", "--role", "coordinator", "--municipality", "109", env=self.env)
        for service in SERVICES:
            self._spawn("serve", service, ["serve", service, "--port", str(self.ports[service])])
        for service in WITH_WORKFLOWS:
            for number in range(self.workers):
                self._spawn("worker", service, ["worker", service], number)
        for service in SERVICES:
            if not await true_within(lambda service=service: _ready(self.base(service)), 120):
                raise SystemExit(f"`kotopolku serve {service}` did not start; see {self.workdir}")
        await asyncio.sleep(3)  # the workers poll their task queues
        return self

    def database_url(self, service: str) -> str:
        parts = urlsplit(self.postgres_url)
        return parts._replace(path=f"/{self.tag}_{service}").geturl()

    def base(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def _start_temporal(self) -> None:
        binary = shutil.which("temporal") or str(BIN / "temporal")
        self.temporal = subprocess.Popen(
            [binary, "server", "start-dev", "--ip", "127.0.0.1", "--port", str(self.temporal_port), "--headless",
             "--db-filename", str(self.workdir / "temporal.db"), *embedded_server_options("full"), "--log-level", "warn"],
            stdout=subprocess.DEVNULL, stderr=open(self.workdir / "temporal.log", "w"), start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", self.temporal_port):
            if self.temporal.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the Temporal dev server did not start; see {self.workdir / 'temporal.log'}")
            time.sleep(0.3)

    def _spawn(self, kind: str, service: str, command: list[str], number: int = 0) -> None:
        log = open(self.workdir / f"{kind}-{service}-{number}.log", "w")
        process = subprocess.Popen([str(BIN / "kotopolku"), *command], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.setdefault(kind, []).append(process)

    # -- tear down --------------------------------------------------------------------------

    async def __aexit__(self, *_exc) -> None:
        running = [process for processes in self.processes.values() for process in processes]
        for process in running:
            process.send_signal(signal.SIGINT)
        for process in running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.temporal is not None:
            self.temporal.terminate()
            try:
                self.temporal.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.temporal.kill()
        rabbitmqctl(["delete_vhost", self.tag])
        admin = await asyncpg.connect(plain_postgres(self.postgres_url))
        try:
            for service in SERVICES:
                await admin.execute(f'DROP DATABASE IF EXISTS "{self.tag}_{service}" WITH (FORCE)')
        finally:
            await admin.close()

    # -- the measurement --------------------------------------------------------------------

    def pids(self) -> dict[str, list[int]]:
        return {
            "serve": [process.pid for process in self.processes["serve"]],
            "workers": [process.pid for process in self.processes["worker"]],
            "temporal_server": [self.temporal.pid],
        }

    async def measure(self, burst: int) -> dict:
        raw = await raw_temporal_burst(f"127.0.0.1:{self.temporal_port}", burst, [self.temporal.pid])
        connection = await aio_pika.connect(self.amqp_url)
        async with connection, Feed(self.base("notifications"), self.viewer) as feed:
            registrations = Registrations(await connection.channel(publisher_confirms=True))
            cpu = CpuUse(self.pids())
            started = time.perf_counter()
            result, _clients = await kotopolku_burst(registrations, feed, burst, raw["per_second"], cpu)
            settled = time.perf_counter() - started  # kotopolku_burst waited until the processes were quiet
        memory = {kind: round(sum(rss_mb(pid) for pid in pids), 1) for kind, pids in self.pids().items()}
        return {
            "workers_per_queue": self.workers,
            "processes": sum(len(processes) for processes in self.processes.values()) + 1,
            "raw_temporal_per_second": raw["per_second"],
            "raw_temporal_cpu_ms_each": raw["cpu_ms_each"],
            "feed_per_second": result["per_second"],
            "missing": result["missing"],
            "ratio_to_raw_temporal": result["ratio_to_raw_temporal"],
            "all_done_seconds": round(settled, 1),
            "cpu_ms_each": result["cpu_ms_each"],
            "memory_mb": memory,
        }


def rabbitmqctl(arguments: list[str]) -> None:
    binary = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    if not os.path.exists(binary):
        raise SystemExit("rabbitmqctl is missing: the benchmark needs a local RabbitMQ (apt-get install rabbitmq-server)")
    subprocess.run([binary, *arguments], capture_output=True, check=True)


def plain_postgres(url: str) -> str:
    """asyncpg's own form of a SQLAlchemy URL (`postgresql+asyncpg://…`)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def print_table(report: dict) -> None:
    print(f"\n{'workers/queue':>13} {'processes':>9} {'raw wf/s':>8} {'feed /s':>7} {'ratio':>5} {'all done s':>10}  CPU ms per client (serve + workers + Temporal)  memory MB")
    for row in report["rounds"]:
        cpu = row["cpu_ms_each"]
        parts = f"{cpu['serve']} + {cpu['workers']} + {cpu['temporal_server']} = {round(sum(cpu.values()), 1)}"
        memory = row["memory_mb"]
        print(
            f"{row['workers_per_queue']:>13} {row['processes']:>9} {row['raw_temporal_per_second']:>8} {row['feed_per_second']:>7} "
            f"{row['ratio_to_raw_temporal']:>5} {row['all_done_seconds']:>10}  {parts:<46} {round(sum(memory.values()))}"
        )
    machine = report["machine"]
    print(f"Machine: {machine['cpus']} CPUs, load {machine['load_at_start']} at the start, {machine['load_at_end']} at the end")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2,4", help="worker processes per task queue, one round each")
    parser.add_argument("--burst", type=int, default=300, help="registrations in each round's burst (and raw workflows)")
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--postgres-url", default=os.environ.get("KOTOPOLKU_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "benchmark-processes.json")
    args = parser.parse_args()

    report: dict = {"date": date.today().isoformat(), "machine": {"cpus": os.cpu_count(), "load_at_start": load()}, "rounds": []}
    base = Path(tempfile.mkdtemp(prefix="kotopolku-benchmark-processes-"))
    for workers in (int(n) for n in args.workers.split(",")):
        async with Round(workers, args.postgres_url, args.amqp_url, base / f"workers-{workers}") as deployment:
            row = await deployment.measure(args.burst)
        report["rounds"].append(row)
        print(json.dumps(row), flush=True)
    report["machine"]["load_at_end"] = load()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print_table(report)
    print(f"Figures written to {args.output}; logs in {base}")


if __name__ == "__main__":
    asyncio.run(main())
