"""Kotopolku as real processes: each service alone (`serve`, `worker`), and everything in one
(`kotopolku run`), driven from outside as a municipal system and a dashboard would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.temporal import TASK_READS
from support import PRODUCER, children, event, eventually, free_port, port_open, publish, registration, run_worker_processes

pytestmark = pytest.mark.e2e
KOTOPOLKU = str(Path(sys.executable).with_name("kotopolku"))


@pytest.fixture
def environment(tmp_path, amqp_url):
    return {
        **os.environ,
        "KOTOPOLKU_VAR_DIR": str(tmp_path / "var"),
        "KOTOPOLKU_AMQP_URL": amqp_url,
        "KOTOPOLKU_LOG_FORMAT": "console",
    }


def kotopolku(*args: str, env: dict) -> str:
    done = subprocess.run([KOTOPOLKU, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def processes(*commands: list[str], env: dict, logs: Path):
    started = []
    try:
        for number, command in enumerate(commands):
            log = open(logs / f"process-{number}.log", "w")
            started.append((subprocess.Popen([KOTOPOLKU, *command], env=env, stdout=log, stderr=subprocess.STDOUT), log))
        yield [process for process, _ in started]
    finally:
        for process, log in started:
            process.send_signal(signal.SIGINT)
        for process, log in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


async def wait_ready(base_url: str, processes_, logs: Path) -> None:
    async def ready():
        for process in processes_:
            if process.poll() is not None:
                raise AssertionError(f"a process exited early; logs: {_tail(logs)}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{base_url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(ready, timeout=90, what=f"{base_url}/readyz")


def _tail(logs: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(logs.glob("*.log")))


async def test_services_as_separate_processes(environment, amqp_url, temporal_address, tmp_path):
    env = {**environment, "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address}
    intake_port, notifications_port = free_port(), free_port()
    kotopolku("migrate", env=env)
    kotopolku("sources", "add", PRODUCER, "--municipality", "091", "--name", "Helsinki register", env=env)
    token = kotopolku("dev-token", "--role", "caseworker", "--municipality", "091", env=env)
    with processes(
        ["serve", "intake", "--port", str(intake_port)],
        ["worker", "intake"],
        ["serve", "notifications", "--port", str(notifications_port)],
        env=env,
        logs=tmp_path,
    ) as running:
        await wait_ready(f"http://127.0.0.1:{intake_port}", running, tmp_path)
        await wait_ready(f"http://127.0.0.1:{notifications_port}", running, tmp_path)
        await publish(amqp_url, event(registration(municipality_code="091")))

        async def listed():
            async with httpx.AsyncClient() as client:
                response = await client.get(
                    f"http://127.0.0.1:{notifications_port}/api/v1/cases", headers={"Authorization": f"Bearer {token}"}
                )
            return [item for item in response.json()["items"] if item["status"] == "awaiting_assessment"]

        [case] = await eventually(listed, timeout=60, what=f"the case through separate processes; logs: {tmp_path}")
        assert case["municipality_code"] == "091" and case["stage"] == "assessment"


async def test_kotopolku_run_starts_everything_and_streams_case_updates(environment, amqp_url, tmp_path):
    http_port, temporal_port, ui_port = free_port(), free_port(), free_port()
    env = {
        **environment,
        "KOTOPOLKU_HTTP_PORT": str(http_port),
        # Nothing answers there: `run` starts the embedded Temporal dev server itself.
        "KOTOPOLKU_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "KOTOPOLKU_TEMPORAL_UI_URL": f"http://127.0.0.1:{ui_port}",
    }
    base = f"http://127.0.0.1:{http_port}"
    token = kotopolku("dev-token", "--role", "coordinator", "--municipality", "049", env=env)
    kotopolku("sources", "add", PRODUCER, "--municipality", "049", env=env)
    with processes(["run"], env=env, logs=tmp_path) as running:
        await wait_ready(base, running, tmp_path)
        output = (tmp_path / "process-0.log").read_text()
        assert f"Dashboard:    {base}/" in output and f"{base}/docs" in output and f"http://127.0.0.1:{ui_port}" in output
        assert (Path(env["KOTOPOLKU_VAR_DIR"]) / "temporal.db").exists()
        async with httpx.AsyncClient() as client:
            assert (await client.get(f"{base}/readyz")).json()["checks"]["worker process"] == "ok"
        [worker] = run_worker_processes(running[0].pid)  # the workflows run beside the HTTP server, not in it
        [temporal] = set(children(running[0].pid)) - {worker}
        assert b"GOMEMLIMIT=300MiB" in Path(f"/proc/{temporal}/environ").read_bytes().split(b"\0")  # its memory bounded

        async with httpx.AsyncClient(timeout=httpx.Timeout(60)) as client:
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers={"Authorization": f"Bearer {token}"}) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                await publish(amqp_url, event(registration(municipality_code="049")))
                await publish(amqp_url, event(registration(municipality_code="049")))
                received = await _read_events(stream, wanted=2)
        assert [item["event"] for item in received] == ["case.updated", "case.updated"]
        data = [json.loads(item["data"]) for item in received]
        # Each registration is told once, its path already open.
        assert [item["status"] for item in data] == ["awaiting_assessment", "awaiting_assessment"]
        assert data[1]["municipality_code"] == "049" and data[1]["next_deadline"]["kind"] == "assessment_start"
        assert data[0]["case_id"] != data[1]["case_id"]
        assert int(received[1]["id"]) > int(received[0]["id"])

        # The worker process sent both registrations' starts (eager there: it runs their task
        # queues' workers), and `run`'s /metrics shows its counters beside `run`'s own.
        async def starts_sent() -> dict[str, float]:
            async with httpx.AsyncClient() as client:
                text = (await client.get(f"{base}/metrics")).text
            sent = {
                sample.labels.get("process", "run"): sample.value
                for family in text_string_to_metric_families(text) for sample in family.samples
                if sample.name == "kotopolku_workflow_commands_sent_total" and sample.labels["service"] == "intake"
                and sample.labels["kind"] == "start"
            }
            return sent if sent.get("workers") == 4 else None  # a path and its assessment each

        assert await eventually(starts_sent, timeout=30, what="the starts counted at /metrics") == {"workers": 4}

        # Resuming with Last-Event-ID replays what came after it.
        async with httpx.AsyncClient(timeout=httpx.Timeout(30)) as client:
            headers = {"Authorization": f"Bearer {token}", "Last-Event-ID": received[0]["id"]}
            async with client.stream("GET", f"{base}/api/v1/cases/stream", headers=headers) as stream:
                [replayed] = await _read_events(stream, wanted=1)
        assert replayed["id"] == received[1]["id"]

    [process] = running
    assert process.returncode == 0, _tail(tmp_path)  # Ctrl-C stops cleanly ...
    assert not port_open("127.0.0.1", temporal_port)  # ... including the Temporal server it started
    assert not alive(worker)  # ... and its worker process


async def _read_events(stream: httpx.Response, wanted: int) -> list[dict]:
    events, current = [], {}
    deadline = time.monotonic() + 60
    async for line in stream.aiter_lines():
        if time.monotonic() > deadline:
            break
        if line == "":
            if "data" in current:
                events.append(current)
            current = {}
            if len(events) == wanted:
                break
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        current[field] = value.lstrip(" ")
    return events


def test_a_worker_that_cannot_run_exits_non_zero_for_its_supervisor(environment, temporal_address):
    env = {**environment, "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address, "KOTOPOLKU_TEMPORAL_NAMESPACE": "no-such-namespace"}
    done = subprocess.run([KOTOPOLKU, "worker", "intake"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "the Temporal worker stopped" in done.stderr


async def test_a_worker_can_answer_health_probes(environment, temporal_address, tmp_path):
    env = {**environment, "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address}
    port = free_port()
    with processes(["worker", "intake", "--port", str(port)], env=env, logs=tmp_path) as running:
        await wait_ready(f"http://127.0.0.1:{port}", running, tmp_path)
        async with httpx.AsyncClient() as client:
            ready = (await client.get(f"http://127.0.0.1:{port}/readyz")).json()
            assert set(ready["checks"]) == {"database:intake", "rabbitmq", "temporal"}
            assert (await client.get(f"http://127.0.0.1:{port}/api/v1/cases")).status_code == 404  # no API here
    [process] = running
    assert process.returncode == 0


async def test_kotopolku_run_stopped_by_its_supervisor_stops_the_temporal_server_it_started(environment, tmp_path):
    env, http_port, temporal_port = environment_on_free_ports(environment)
    with (tmp_path / "run.log").open("w") as log:
        process = subprocess.Popen([KOTOPOLKU, "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            await wait_ready(f"http://127.0.0.1:{http_port}", [process], tmp_path)
            # Started with the embedded settings: a WAL file, and its tasks passed on at once.
            arguments = embedded_server_arguments(process.pid)
            assert "journal_mode=wal" in arguments and " ".join(TASK_READS) in " ".join(arguments), arguments
            process.send_signal(signal.SIGTERM)  # what systemd and Kubernetes send
            assert process.wait(timeout=30) == 0, _tail(tmp_path)
        finally:
            if process.poll() is None:
                process.kill()
    assert not port_open("127.0.0.1", temporal_port)


def embedded_server_arguments(run_pid: int) -> list[str]:
    """The command line of the Temporal dev server `kotopolku run` started (one of its children)."""
    for child in children(run_pid):
        try:
            arguments = Path(f"/proc/{child}/cmdline").read_bytes().decode().split("\0")
        except OSError:  # it ended meanwhile
            continue
        if "start-dev" in arguments:
            return arguments
    raise AssertionError(f"`kotopolku run` ({run_pid}) started no Temporal dev server")


def environment_on_free_ports(environment: dict) -> tuple[dict, int, int]:
    """`kotopolku run` on free ports, where no Temporal answers: it starts its embedded server."""
    http_port, temporal_port = free_port(), free_port()
    env = {
        **environment,
        "KOTOPOLKU_HTTP_PORT": str(http_port),
        "KOTOPOLKU_TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
        "KOTOPOLKU_TEMPORAL_UI_URL": f"http://127.0.0.1:{free_port()}",
    }
    return env, http_port, temporal_port


def alive(pid: int) -> bool:
    """Running (a process that ended and is not yet reaped is a zombie: not running)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


async def test_kotopolku_run_and_its_worker_process_end_together(environment, tmp_path):
    env, http_port, temporal_port = environment_on_free_ports(environment)
    # The worker process ends (a crash): `run` ends too, non-zero, so that a supervisor starts both again.
    with processes(["run"], env=env, logs=tmp_path) as running:
        await wait_ready(f"http://127.0.0.1:{http_port}", running, tmp_path)
        [worker] = run_worker_processes(running[0].pid)
        os.kill(worker, signal.SIGKILL)
        assert running[0].wait(timeout=60) == 1, _tail(tmp_path)
    assert "a Temporal worker stopped" in (tmp_path / "process-0.log").read_text()
    assert not port_open("127.0.0.1", temporal_port)

    # `run` is killed: its worker process does not run on alone.
    with processes(["run"], env=env, logs=tmp_path) as running:
        await wait_ready(f"http://127.0.0.1:{http_port}", running, tmp_path)
        [worker] = run_worker_processes(running[0].pid)
        [temporal] = set(children(running[0].pid)) - {worker}
        running[0].kill()
        running[0].wait()
        try:
            deadline = time.monotonic() + 60
            while alive(worker) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not alive(worker), _tail(tmp_path)
        finally:
            os.kill(temporal, signal.SIGTERM)  # the Temporal server a killed `run` could not stop
