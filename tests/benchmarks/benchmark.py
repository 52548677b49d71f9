"""Kotopolku on the `make run` defaults, beside raw RabbitMQ and raw Temporal of the same run.

    make benchmark     (or: .venv/bin/python tests/benchmarks/benchmark.py --burst 300 --rate 10 --seconds 20)

Starts `kotopolku run` exactly as `make run` does (all four services, their Temporal workers in a
second process it forks, SQLite files, the embedded Temporal dev server it starts itself), then measures, on the same machine in the same
minutes:
  - raw RabbitMQ: a burst of persistent messages published with confirms and consumed (messages/s);
  - raw Temporal: a burst of one-activity workflows on Kotopolku's own Temporal server (workflows/s);
  - Kotopolku burst: `--burst` resident.registered events at once → every case on the SSE feed
    (clients/s, and the ratio to raw Temporal);
  - Kotopolku steady: `--rate` registrations a second for `--seconds` → case on the feed (p50, p99);
  - staff commands: 5 staff at once each starting assessments (`POST …/assessment/start`), answered
    with the case as the projection shows it (p50, p99), and the CPU time each command costs; each
    staff member's first command is timed apart (the first of its kind since `run` started); then
    the same at a busy team's pace (each staff member's next command `--staff-pause` s after the
    last answer); just before them, raw Temporal's floor for the same shape: 5 clients at once,
    each giving updates that run one activity before they answer, on plain workflows (p50, p99);
  - memory: proportional set size (and RSS) of Kotopolku's processes and of its Temporal server after the load;
  - the machine's load (`/proc/loadavg`) at the start and the end: the machine may be shared.
  - CPU time per client (Kotopolku and its Temporal server, until the burst's work is all done)
    and per raw workflow (the server and the client with its worker): the one figure that other
    work on a shared machine hardly changes.
Prints one table, writes JSON (`--output`). With `--profile`, py-spy samples `run` and its worker process
during the burst, only the thread holding the GIL (Python running, not waiting), and the table is
followed by the top functions (self time and total).
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
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import aio_pika
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from faults.waiting import true_within  # noqa: E402
from measuring import CpuUse, database_statements, load, memory_mb, profiling, run_processes, statements_each, top_functions  # noqa: E402
from raw import raw_rabbitmq_burst, raw_temporal_burst, raw_temporal_commands  # noqa: E402
from steady_load import _ready, rss_mb, steady, summary  # noqa: E402
from support import PRODUCER, event, free_port, person, registration  # noqa: E402
from tables import print_table  # noqa: E402

BIN = Path(sys.executable).parent
STAFF = 5
CLIENT_NAMESPACE = uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10")  # intake names a client after (source, external_ref)


# --- Kotopolku ----------------------------------------------------------------------------------


class Feed:
    """The SSE feed as staff see it: when each client's case first showed `awaiting_assessment`."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.seen: dict[str, float] = {}
        self.case_of: dict[str, str] = {}
        self.changed = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> "Feed":
        self.task = asyncio.create_task(self._listen())
        await asyncio.sleep(1)
        return self

    async def __aexit__(self, *_exc) -> None:
        self.task.cancel()

    async def _listen(self) -> None:
        async with httpx.AsyncClient(timeout=None) as client:
            async with client.stream("GET", f"{self.base}/api/v1/cases/stream", headers={"Authorization": f"Bearer {self.token}"}) as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data:"):
                        data = json.loads(line[5:])
                        if data["status"] == "awaiting_assessment" and data["client_id"] not in self.seen:
                            self.seen[data["client_id"]] = time.perf_counter()
                            self.case_of[data["client_id"]] = data["case_id"]
                            self.changed.set()

    async def until_seen(self, clients: list[str], timeout: float) -> int:
        """Waits until every client's case is on the feed; says how many were not, after `timeout`."""
        deadline = time.perf_counter() + timeout
        while (missing := sum(client not in self.seen for client in clients)) and time.perf_counter() < deadline:
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=max(0.01, deadline - time.perf_counter()))
            except TimeoutError:
                pass
        return missing


class Registrations:
    """Distinct people, as in life: identical ones would each be put before staff as duplicates."""

    def __init__(self, channel: aio_pika.abc.AbstractChannel) -> None:
        self.channel, self.n = channel, 0

    async def send(self) -> tuple[str, float]:
        self.n += 1
        data = registration(municipality_code="109", person=person(
            given_names=f"Amina {uuid.uuid4().hex[:8]}", birth_date=(date(1960, 1, 1) + timedelta(days=self.n * 37 % 15000)).isoformat()
        ))
        client_id = str(uuid.uuid5(CLIENT_NAMESPACE, f"{PRODUCER}\n{data['external_ref']}"))
        envelope = event(data)
        exchange = await self.channel.get_exchange("kotopolku.inbound")
        sent = time.perf_counter()
        await exchange.publish(
            aio_pika.Message(
                envelope.to_json(), content_type="application/cloudevents+json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                user_id="guest",  # the login a source added without --broker-user publishes as
            ),
            routing_key=envelope.type,
        )
        return client_id, sent


async def kotopolku_burst(
    registrations: Registrations, feed: Feed, count: int, raw_temporal: float, cpu: CpuUse | None = None
) -> tuple[dict, list[str]]:
    """The burst's rate to the feed; with `cpu`, also what each client cost in CPU time once
    everything the burst set going (paths, assessments, relays) is done."""
    if cpu is not None:
        await cpu.measure_idle()
        cpu.start()
    started = time.perf_counter()
    sent = await asyncio.gather(*(registrations.send() for _ in range(count)))
    clients = [client for client, _ in sent]
    missing = await feed.until_seen(clients, timeout=max(120, count))
    arrived = [feed.seen[client] for client in clients if client in feed.seen]
    rate = len(arrived) / (max(arrived) - started) if arrived else 0.0
    result = {
        "what": f"Kotopolku: burst of {count} registrations → every case on the feed",
        "count": len(arrived), "missing": missing, "per_second": round(rate, 1), "ratio_to_raw_temporal": round(rate / raw_temporal, 2),
    }
    if cpu is not None:
        await cpu.until_quiet()
        cpu.stop()
        result["cpu_ms_each"] = cpu.per_item_ms(count)
    return result, [client for client in clients if client in feed.seen]


async def kotopolku_steady(registrations: Registrations, feed: Feed, rate: float, seconds: float) -> dict:
    sent: dict[str, float] = {}

    async def send(_i: int) -> None:
        client, at = await registrations.send()
        sent[client] = at

    elapsed = await steady(rate, seconds, send)
    missing = await feed.until_seen(list(sent), timeout=120)
    result = summary(
        f"Kotopolku: {rate:g} registrations/s for {seconds:g} s → case on the feed",
        [feed.seen[client] - at for client, at in sent.items() if client in feed.seen], elapsed,
    )
    result["missing"] = missing  # not on the feed 120 s after the last was sent
    return result


async def staff_commands(base: str, tokens: list[str], cases: list[str], cpu: CpuUse | None = None, *, pause: float = 0.0) -> dict:
    """Each staff member starts the assessments of their share of the cases, one after another
    (`pause` seconds after each answer; none: as fast as they are answered); with `cpu`, also what
    each command cost in CPU time (staff at once queue for it). Each staff member's first command
    is not counted but reported apart (`first_commands_ms`): it may be the first of its kind since
    `run` started, and pay once for what later ones find ready."""
    latencies: list[float] = []
    turns: list[tuple[float, int]] = []  # (seconds, the command's place in its staff member's turn)
    first: list[float] = []
    failures: Counter = Counter()
    shares = [cases[i::len(tokens)] for i in range(len(tokens))]
    clients = [httpx.AsyncClient(base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}) for token in tokens]

    async def start_assessment(client: httpx.AsyncClient, case_id: str) -> float | None:
        began = time.perf_counter()
        response = await client.post(f"/api/v1/cases/{case_id}/assessment/start", json={})
        if response.status_code == 200 and response.json()["status"] == "assessment_in_progress":
            return time.perf_counter() - began
        failures[response.status_code] += 1
        return None

    async def staff(client: httpx.AsyncClient, mine: list[str], offset: float) -> None:
        await asyncio.sleep(offset)  # with pauses, each on their own rhythm, not all at the same moment
        for turn, case_id in enumerate(mine, start=1):
            took = await start_assessment(client, case_id)
            if took is not None:
                latencies.append(took)
                turns.append((took, turn))
            await asyncio.sleep(pause)

    try:
        for took in await asyncio.gather(*(start_assessment(client, mine[0]) for client, mine in zip(clients, shares))):
            if took is not None:
                first.append(took)
        if cpu is not None:
            await cpu.measure_idle()
            cpu.start()
        started = time.perf_counter()
        await asyncio.gather(*(staff(client, mine[1:], i * pause / len(clients)) for i, (client, mine) in enumerate(zip(clients, shares))))
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    pace = f", {pause:g} s pauses" if pause else ""
    result = summary(f"Kotopolku: staff command answered with the changed case, {len(tokens)} staff at once{pace}", latencies, elapsed)
    result["failures"] = dict(failures)
    result["first_commands_ms"] = sorted(round(seconds * 1000, 1) for seconds in first)
    result["slowest"] = [{"ms": round(seconds * 1000, 1), "turn": turn} for seconds, turn in sorted(turns, reverse=True)[:5]]
    if cpu is not None:
        cpu.stop()
        result["cpu_ms_each"] = cpu.per_item_ms(len(latencies))
    return result


# --- the run ------------------------------------------------------------------------------------


def kotopolku(*args: str, env: dict) -> str:
    done = subprocess.run([str(BIN / "kotopolku"), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def run_environment(workdir: Path, amqp_url: str, temporal_port: int, http_port: int) -> dict:
    """`kotopolku run`'s environment as `make run` has it: SQLite files under `workdir`, its embedded
    Temporal server on `temporal_port` (nothing answers there: `run` starts it), quiet logs."""
    env = {
        **os.environ,
        "KOTOPOLKU_VAR_DIR": str(workdir / "var"),
        "KOTOPOLKU_AMQP_URL": amqp_url,
        "KOTOPOLKU_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "KOTOPOLKU_TEMPORAL_UI_URL": f"http://127.0.0.1:{free_port()}",
        "KOTOPOLKU_HTTP_PORT": str(http_port),
        "KOTOPOLKU_LOG_LEVEL": "WARNING",
    }
    env.pop("KOTOPOLKU_DATABASE_URL", None)
    return env


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=300, help="registrations in the burst (and raw workflows, raw messages)")
    parser.add_argument("--rate", type=float, default=10, help="registrations a second in the steady run")
    parser.add_argument("--seconds", type=float, default=20, help="length of the steady run")
    parser.add_argument("--commands", type=int, default=100, help="staff commands in all (5 staff), in each of the two rounds")
    parser.add_argument("--staff-pause", type=float, default=1.0, help="seconds each staff member waits after an answer in the second round")
    parser.add_argument("--profile", action="store_true", help="sample `run` and its worker process with py-spy during the burst")
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--database-url", help="KOTOPOLKU_DATABASE_URL for the run (default: SQLite, as make run)")
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "benchmark.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-benchmark-"))
    temporal_port, http_port = free_port(), free_port()
    env = run_environment(workdir, args.amqp_url, temporal_port, http_port)
    if args.database_url:
        env["KOTOPOLKU_DATABASE_URL"] = args.database_url
    base = f"http://127.0.0.1:{http_port}"
    results: list[dict] = []
    report: dict = {"date": date.today().isoformat(), "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "load_at_start": load()}}
    server = None
    profilers: dict[str, subprocess.Popen] = {}
    try:
        kotopolku("sources", "add", PRODUCER, "--municipality", "109", env=env)
        viewer = kotopolku("dev-token", "--role", "coordinator", "--municipality", "109", env=env)
        tokens = [kotopolku("dev-token", "--role", "caseworker", "--municipality", "109", "--sub", f"benchmark-{i}", env=env) for i in range(STAFF)]
        server = subprocess.Popen([str(BIN / "kotopolku"), "run"], env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "kotopolku.log", "w"))
        if not await true_within(lambda: _ready(base), 120):
            raise SystemExit(f"kotopolku run did not start; see {workdir / 'kotopolku.log'}")
        processes = run_processes(server.pid)
        temporal_pids, kotopolku_pids = processes["temporal_server"], processes["kotopolku"] + processes["kotopolku_workers"]

        results.append(await raw_rabbitmq_burst(args.amqp_url, args.burst))
        raw_temporal = await raw_temporal_burst(f"127.0.0.1:{temporal_port}", args.burst, temporal_pids)
        results.append(raw_temporal)

        connection = await aio_pika.connect(args.amqp_url)
        async with connection, Feed(base, viewer) as feed:
            registrations = Registrations(await connection.channel(publisher_confirms=True))
            if args.profile:
                profilers = profiling(processes, workdir, rate=50)
                await asyncio.sleep(1)
            cpu = CpuUse(processes)
            counted = await database_statements(base)
            burst, clients = await kotopolku_burst(registrations, feed, args.burst, raw_temporal["per_second"], cpu)
            burst["statements_each"] = statements_each(counted, await database_statements(base), args.burst)
            results.append(burst)
            print(json.dumps(results), flush=True)  # the figures so far, should a later step fail
            for profiler in profilers.values():
                profiler.send_signal(signal.SIGINT)
                profiler.wait(timeout=60)
            results.append(await kotopolku_steady(registrations, feed, args.rate, args.seconds))
            # One first command each, not counted; then as fast as answered, then at a busy team's pace.
            cases = [feed.case_of[client] for client in clients[: 2 * (args.commands + STAFF)]]
        results.append(await raw_temporal_commands(f"127.0.0.1:{temporal_port}", STAFF, args.commands, temporal_pids))
        counted = await database_statements(base)
        fast, paced = cases[: args.commands + STAFF], cases[args.commands + STAFF:]
        results.append(await staff_commands(base, tokens, fast, CpuUse(processes)))
        results[-1]["statements_each"] = statements_each(counted, await database_statements(base), len(fast))  # the first commands too
        results.append(await staff_commands(base, tokens, paced, pause=args.staff_pause))
        report["memory_mb"] = {"kotopolku": memory_mb(kotopolku_pids), "temporal_server": memory_mb(temporal_pids)}
        report["memory_mb"]["together"] = round(sum(report["memory_mb"].values()), 1)
        report["rss_mb"] = {"kotopolku": round(sum(rss_mb(pid) for pid in kotopolku_pids), 1), "temporal_server": round(sum(rss_mb(pid) for pid in temporal_pids), 1)}
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
    report["machine"]["load_at_end"] = load()
    report["results"] = results
    profiles = {name: workdir / f"profile-{name}.txt" for name in profilers}
    report["profiles"] = {name: top_functions(path) for name, path in profiles.items() if path.exists()}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print_table(report, staff=STAFF)
    print(f"Figures written to {args.output}")


if __name__ == "__main__":
    asyncio.run(main())
