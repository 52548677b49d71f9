"""The compose stack's proxy, run for real: Debian's nginx with deploy/proxy/nginx.conf in front of
the four services as separate `kotopolku serve` and `kotopolku worker` processes on PostgreSQL and
a Temporal dev server. Everything below goes through the proxy only: a client's path from the
registration event to closure by the staff commands (CONTRACT §5), the live feed while it happens
(never buffered), the employer API (§2), and the dashboard's session cookie behind a load balancer
that terminated TLS (X-Forwarded-Proto)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
from contextlib import asynccontextmanager

import httpx
import pytest

from nginx_proxy import SERVICES, proxy
from shared.auth import SESSION_COOKIE
from support import PRODUCER, event, eventually, free_port, notice, publish, registration, with_identity_code
from test_processes import KOTOPOLKU, processes

pytestmark = pytest.mark.e2e
NOTICES = "/api/v1/recruitment-notices"
# Eight Python processes start at once on a 2-core machine that other test runs share: conditions
# are waited for generously (never a fixed pause).
START_SECONDS = 300
STEP_SECONDS = 180


@pytest.fixture
def stack_env(tmp_path, amqp_url, temporal_address, postgres_url):
    """One fresh PostgreSQL database (each service in its own schema, as in compose), secrets of
    its own (not the development ones), and each service's port."""
    ports = {service: free_port() for service in SERVICES}
    env = {
        **os.environ,
        "KOTOPOLKU_VAR_DIR": str(tmp_path / "var"),
        "KOTOPOLKU_AMQP_URL": amqp_url,
        "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address,
        "KOTOPOLKU_DATABASE_URL": postgres_url,
        "KOTOPOLKU_JWT_SECRET": base64.b64encode(os.urandom(32)).decode(),
        "KOTOPOLKU_DATA_KEY": base64.b64encode(os.urandom(32)).decode(),
        "KOTOPOLKU_NOTIFICATIONS_URL": f"http://127.0.0.1:{ports['notifications']}",
        "KOTOPOLKU_PLANNING_URL": f"http://127.0.0.1:{ports['planning']}",
        "KOTOPOLKU_LOG_FORMAT": "console",
        **{f"KOTOPOLKU_{service.upper()}_HTTP_PORT": str(port) for service, port in ports.items()},
    }
    return env, ports


@asynccontextmanager
async def stack(env: dict, ports: dict[str, int], tmp_path):
    """serve + worker of each service, each its own process, and nginx in front; the proxy's URL."""
    logs = tmp_path / "logs"
    logs.mkdir()
    # notifications has no workflows: no worker of its own (as in docker-compose.yml).
    worker_ports = {service: free_port() for service in ("intake", "assessment", "planning")}
    commands = [["serve", service] for service in SERVICES]
    commands += [["worker", service, "--port", str(port)] for service, port in worker_ports.items()]
    with processes(*commands, env=env, logs=logs) as running:
        for port in [*ports.values(), *worker_ports.values()]:
            await ready(f"http://127.0.0.1:{port}", running, logs)
        proxy_port = free_port()
        upstreams = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
        with proxy(tmp_path / "nginx", listen_port=proxy_port, upstreams=upstreams) as nginx_dir:
            base = f"http://127.0.0.1:{proxy_port}"

            async def answers():
                try:
                    async with httpx.AsyncClient() as client:
                        return (await client.get(f"{base}/")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(answers, timeout=STEP_SECONDS, what=f"nginx on {base}; its log: {nginx_dir}")
            yield base


async def test_the_proxy_serves_the_staff_path_the_employer_api_and_the_live_feed(stack_env, amqp_url, tmp_path):
    env, ports = stack_env
    assert kotopolku("migrate", env=env) == "migrated: intake, assessment, planning, notifications"
    kotopolku("sources", "add", PRODUCER, "--municipality", "109", "--name", "Hämeenlinna register", env=env)
    api_key = kotopolku("employers", "create", "--business-id", "0112038-9", "--name", "Example Oy", env=env)
    staff = {"Authorization": f"Bearer {kotopolku('dev-token', '--role', 'caseworker', '--municipality', '109', env=env)}"}
    admin = {"Authorization": f"Bearer {kotopolku('dev-token', '--role', 'admin', '--municipality', '109', env=env)}"}

    async with stack(env, ports, tmp_path) as base, httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(STEP_SECONDS)) as http:
        # Only what the proxy routes is reachable: no metrics, probes or API docs from outside.
        for internal in ("/metrics", "/readyz", "/docs", "/openapi.json"):
            assert (await http.get(internal)).status_code == 404, internal

        # The county's staff list (planning's): the assessment service, another process, checks its participant there.
        county = {"staff": [{"sub": "kh-liisa", "name": "Liisa Laine"}]}
        assert (await http.put("/api/v1/county/staff/Kanta-Hämeen hyvinvointialue", json=county, headers=admin)).status_code == 200

        # The live feed through the proxy: events arrive while the request is open.
        feed: list[dict] = []
        async with http.stream("GET", "/api/v1/cases/stream", headers=staff, timeout=httpx.Timeout(STEP_SECONDS, read=None)) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            reader = asyncio.create_task(_collect(stream, feed))
            try:
                case_id = await _staff_path(http, staff, amqp_url, feed)
            finally:
                reader.cancel()
        statuses = [item["status"] for item in feed if item["case_id"] == case_id]
        # A registration that opens a path tells its case once, where it left it (not `received` first).
        assert statuses[0] == "awaiting_assessment" and statuses[-1] == "employed", statuses
        assert {"awaiting_assessment", "assessment_in_progress", "awaiting_plan", "plan_active"} <= set(statuses)

        await _employer_api(http, {"X-API-Key": api_key})
        await _session_cookie(http, staff)

        # The proxy's body limit (1 MiB) answers before any service reads the body.
        too_big = await http.post(NOTICES, content=b"x" * (1024 * 1024 + 1), headers={"X-API-Key": api_key, "Content-Type": "application/json"})
        assert too_big.status_code == 413

    access_log = (tmp_path / "nginx" / "access.log").read_text()
    assert "/api/v1/cases/stream" in access_log and "/closure" in access_log


async def _staff_path(http: httpx.AsyncClient, staff: dict, amqp_url: str, feed: list[dict]) -> str:
    """Registration (AMQP) → assessment → plan → closure, each command through the proxy, each
    change seen on the open live feed before the next command."""

    def seen(case_id: str, status: str):
        async def check():
            return any(item["case_id"] == case_id and item["status"] == status for item in feed)

        return eventually(check, timeout=STEP_SECONDS, what=f"{status} on the live feed through the proxy")

    await publish(amqp_url, event(with_identity_code(registration(municipality_code="109"))))

    async def registered():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(registered, timeout=STEP_SECONDS, what="the registered case through the proxy")
    case_id = case["case_id"]
    await seen(case_id, "awaiting_assessment")
    assessment = f"/api/v1/cases/{case_id}/assessment"
    await eventually(lambda: _answers(http.get(assessment, headers=staff)), timeout=STEP_SECONDS, what="the assessment workflow")

    started = await _command(http, f"{assessment}/start", staff, {})
    assert started["status"] == "assessment_in_progress"
    await seen(case_id, "assessment_in_progress")
    stranger = await http.post(f"{assessment}/complete", headers=staff,
                               json={"plan_needed": True, "plan_type": "multi_sectoral", "wellbeing_county_participant_sub": "someone"})
    assert stranger.status_code == 422 and stranger.json()["detail"]["code"] == "wellbeing_participant_not_county_staff", stranger.text
    chosen = {"plan_needed": True, "plan_type": "multi_sectoral", "wellbeing_county_participant_sub": "kh-liisa"}
    completed = await _command(http, f"{assessment}/complete", staff, chosen)
    assert (completed["stage"], completed["status"], completed["next_deadline"]["kind"]) == ("planning", "awaiting_plan", "plan_start")
    await seen(case_id, "awaiting_plan")

    plan = f"/api/v1/cases/{case_id}/plan"
    await eventually(lambda: _answers(http.get(plan, headers=staff)), timeout=STEP_SECONDS, what="the plan workflow")
    made = await _command(http, plan, staff, {"type": "multi_sectoral"})  # the assessment's participant
    assert (made["stage"], made["status"]) == ("follow_up", "plan_active")
    assert (await http.get(plan, headers=staff)).json()["wellbeing_county_participant"] == "Liisa Laine"
    await seen(case_id, "plan_active")

    closed = await _command(http, f"/api/v1/cases/{case_id}/closure", staff, {"reason": "employed"}, idempotency_key="close-1")
    assert closed["stage"] == "closed"
    again = await _command(http, f"/api/v1/cases/{case_id}/closure", staff, {"reason": "employed"}, idempotency_key="close-1")
    assert again["stage"] == "closed"  # repeated with its key: no second effect, same answer
    await seen(case_id, "employed")
    detail = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()
    assert detail["stage"] == "closed" and detail["status"] == closed["status"]
    return case_id


async def _employer_api(http: httpx.AsyncClient, employer: dict) -> None:
    assert (await http.post(NOTICES, json=notice())).status_code == 401  # no key
    key = {**employer, "Idempotency-Key": "proxy-notice-1"}
    first = await http.post(NOTICES, json=notice(), headers=key)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["status"] == "received" and first.headers["location"].endswith(f"{NOTICES}/{created['id']}")
    repeated = await http.post(NOTICES, json=notice(), headers=key)
    assert repeated.status_code == 201 and repeated.json()["id"] == created["id"]
    changed = await http.post(NOTICES, json=notice(employment={"job_title": "Welder II"}), headers=key)
    assert changed.status_code == 409
    bad = await http.post(NOTICES, json=notice(consent={"given": False}), headers=employer)
    assert bad.status_code == 422 and "consent" in bad.text
    assert (await http.get(f"{NOTICES}/{created['id']}", headers=employer)).json()["id"] == created["id"]
    listed = (await http.get(NOTICES, headers=employer, params={"status": "received"})).json()
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    withdrawn = await http.post(f"{NOTICES}/{created['id']}/withdrawal", headers=employer)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


async def _session_cookie(http: httpx.AsyncClient, staff: dict) -> None:
    """Behind a load balancer that terminated TLS (its X-Forwarded-Proto: https), the proxy passes
    the scheme on and the dashboard's cookie is Secure; over plain http it is not."""
    token = staff["Authorization"].removeprefix("Bearer ")
    for headers, secure in (({"X-Forwarded-Proto": "https"}, True), ({}, False)):
        answer = await http.post("/session", data={"token": token}, headers=headers, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        [cookie] = [value for value in answer.headers.get_list("set-cookie") if value.startswith(SESSION_COOKIE)]
        assert ("; secure" in cookie.lower()) is secure, (headers, cookie)
    http.cookies.clear()


def kotopolku(*args: str, env: dict) -> str:
    """A `kotopolku` command's last line of output (test_processes.kotopolku, given longer)."""
    done = subprocess.run([KOTOPOLKU, *args], env=env, capture_output=True, text=True, timeout=START_SECONDS)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


async def ready(base_url: str, running, logs) -> None:
    """test_processes.wait_ready's check, waited for as long as a loaded machine needs."""

    async def answers():
        for process in running:
            if process.poll() is not None:
                raise AssertionError(f"a process exited early; logs in {logs}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{base_url}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    await eventually(answers, timeout=START_SECONDS, interval=0.5, what=f"{base_url}/readyz (logs in {logs})")


async def _command(http: httpx.AsyncClient, path: str, staff: dict, body: dict, idempotency_key: str | None = None) -> dict:
    headers = {**staff, **({"Idempotency-Key": idempotency_key} if idempotency_key else {})}
    response = await http.post(path, json=body, headers=headers)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    return response.json()


async def _answers(request) -> bool:
    return (await request).status_code == 200


async def _collect(stream: httpx.Response, feed: list[dict]) -> None:
    """Every `case.updated` of the open stream, appended as it arrives."""
    current: dict[str, str] = {}
    async for line in stream.aiter_lines():
        if line == "":
            if current.get("event") == "case.updated" and "data" in current:
                feed.append(json.loads(current["data"]))
            current = {}
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            current[field] = value.lstrip(" ")


async def test_the_development_secrets_answer_nothing_through_a_proxy_on_the_same_host(amqp_url, temporal_address, tmp_path):
    """`kotopolku serve` on loopback with the development secrets, nginx on the same host in front:
    straight from this machine it answers, through the proxy it refuses; published at an https
    address (KOTOPOLKU_PUBLIC_URL) it does not start at all."""
    env = {
        **os.environ, "KOTOPOLKU_VAR_DIR": str(tmp_path / "var"), "KOTOPOLKU_AMQP_URL": amqp_url,
        "KOTOPOLKU_TEMPORAL_ADDRESS": temporal_address, "KOTOPOLKU_LOG_FORMAT": "console",
    }
    port = free_port()
    kotopolku("migrate", "notifications", env=env)
    staff = {"Authorization": f"Bearer {kotopolku('dev-token', '--role', 'caseworker', '--municipality', '109', env=env)}"}
    logs = tmp_path / "logs"
    logs.mkdir()
    with processes(["serve", "notifications", "--port", str(port)], env=env, logs=logs) as running:
        await ready(f"http://127.0.0.1:{port}", running, logs)
        proxy_port = free_port()
        with proxy(tmp_path / "nginx", listen_port=proxy_port, upstreams={service: f"http://127.0.0.1:{port}" for service in SERVICES}):
            async with httpx.AsyncClient() as http:
                assert (await http.get(f"http://127.0.0.1:{port}/api/v1/cases", headers=staff)).status_code == 200

                async def through_proxy():
                    try:
                        return await http.get(f"http://127.0.0.1:{proxy_port}/api/v1/cases", headers=staff)
                    except httpx.TransportError:
                        return None

                refused = await eventually(through_proxy, timeout=STEP_SECONDS, what="nginx")
                assert refused.status_code == 403 and refused.json()["detail"]["code"] == "development_secrets_behind_proxy"

    published = subprocess.run(
        [KOTOPOLKU, "serve", "notifications", "--port", str(free_port())],
        env={**env, "KOTOPOLKU_PUBLIC_URL": "https://kotopolku.example.fi"}, capture_output=True, text=True, timeout=START_SECONDS,
    )
    assert published.returncode == 1 and "KOTOPOLKU_PUBLIC_URL" in published.stderr, published.stderr
