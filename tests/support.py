"""Helpers the tests share: settings, events, publishing, a running Kotopolku in the test's loop,
recruitment notices. The workflow tests' own (the time-skipping server) are in workflow_support.py."""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import time
import uuid
from contextlib import asynccontextmanager, contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator
from urllib.parse import urlsplit

import aio_pika
import httpx
import uvicorn
from sqlalchemy import event as sa_event

from services.intake.identity import make_identity_code
from services.runner import Runtime, create_app
from shared.auth import mint_token
from shared.contracts import INBOUND_EXCHANGE, INTERNAL_EXCHANGE, RESIDENT_REGISTERED
from shared.envelope import JSON_CONTENT_TYPE, STRUCTURED_CONTENT_TYPE, Envelope
from shared.messaging import add_event
from shared.settings import Settings, load_settings
from shared.clock import today as finnish_today

PRODUCER = "urn:kotopolku:system:hameenlinna-register"


def make_settings(tmp_path: Path, *, amqp_url: str, temporal_address: str, database_url: str | None, **overrides) -> Settings:
    return load_settings(
        var_dir=tmp_path / "var",
        amqp_url=amqp_url,
        temporal_address=temporal_address,
        database_url=database_url,
        log_format="console",
        **overrides,
    )


def every_count_shown(tmp_path: Path) -> Path:
    """A policy file showing figures of any size: for tests of what the figures count, on a few
    clients (hiding small groups is tested on its own: tests/unit/test_figures_suppression.py)."""
    policy = tmp_path / "policy-every-count.toml"
    policy.write_text("figures_smallest_cell = 1\n", encoding="utf-8")
    return policy


@contextmanager
def statements_sent(database) -> Iterator[list[str]]:
    """The SQL statements `database` is sent inside the block, whitespace folded: what a change
    costs the database, counted exactly."""
    sent: list[str] = []

    def record(_connection, _cursor, statement: str, *_args) -> None:
        sent.append(" ".join(statement.split()))

    sa_event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa_event.remove(database.engine.sync_engine, "before_cursor_execute", record)


def an_event(routing_key: str, n: int = 0, *, subject: str | None = None) -> Envelope:
    """An internal test event of type `routing_key`, numbered `n` in its data."""
    return Envelope.new(type=routing_key, source="urn:kotopolku:test", data={"n": n}, subject=subject)


async def write_events(database, *events: Envelope) -> None:
    """The events in the outbox (to the internal exchange), in one committed transaction."""
    async with database.session() as session:
        for event in events:
            add_event(session, event, exchange=INTERNAL_EXCHANGE)
        await session.commit()


def person(**overrides) -> dict[str, Any]:
    data = {
        "given_names": "Amina",
        "family_name": "Hassan",
        "birth_date": "1990-04-12",
        "sex": "female",
        "nationality": "SO",
        "native_language": "so",
        "preferred_languages": ["fi", "en"],
        "contact": {"email": "amina@example.org", "phone": "+358401234567"},
    }
    data.update(overrides)
    return data


def registration(
    *, municipality_code: str = "109", registered_on: date | None = None, external_ref: str | None = None, **overrides
) -> dict[str, Any]:
    registered_on = registered_on or finnish_today()
    data = {
        "person": person(),
        "external_ref": external_ref or f"ref-{uuid.uuid4().hex[:12]}",
        "municipality_code": municipality_code,
        "registered_on": registered_on.isoformat(),
        "first_permit_or_registration_on": (registered_on - timedelta(days=30)).isoformat(),
        "residence_basis": "international_protection",
    }
    data.update(overrides)
    return data


# Individual numbers 100-899, one after another from a random start: persons made in one test run
# never share an identity code (twins born the same day get two), whatever the start.
_individual_numbers = itertools.count(random.randrange(800))


def with_identity_code(data: dict[str, Any], birth_date: date = date(1990, 4, 12), individual: int | None = None) -> dict:
    code = make_identity_code(birth_date, individual or next(_individual_numbers) % 800 + 100)
    data["person"] = {**data["person"], "personal_identity_code": code, "birth_date": birth_date.isoformat()}
    return data


def event(data: Any, *, type: str = RESIDENT_REGISTERED, source: str = PRODUCER) -> Envelope:
    return Envelope.new(type=type, source=source, data=data)


async def publish(
    amqp_url: str,
    envelope: Envelope | None = None,
    *,
    mode: str = "structured",
    body: bytes | None = None,
    content_type: str | None = None,
    headers: dict | None = None,
    routing_key: str | None = None,
    user_id: str | None = "",
    declare: bool = True,  # False for a producer's own login, which may only write (deploy/rabbitmq)
) -> None:
    """Publish as a municipal system would, on kotopolku.inbound, with the AMQP user_id of the
    connection's login (RabbitMQ checks it); `user_id=None` leaves it out."""
    if user_id == "":
        user_id = urlsplit(amqp_url).username or "guest"
    if envelope is not None and mode == "structured":
        body, content_type = envelope.to_json(), STRUCTURED_CONTENT_TYPE
    elif envelope is not None:
        body, content_type = _json(envelope.data), JSON_CONTENT_TYPE
        headers = {**envelope.binary_headers(), **(headers or {})}
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        if declare:
            exchange = await channel.declare_exchange(INBOUND_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        else:
            exchange = await channel.get_exchange(INBOUND_EXCHANGE, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                body, content_type=content_type, headers=headers or {}, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, user_id=user_id
            ),
            routing_key=routing_key or (envelope.type if envelope else "fi.kotopolku.unknown"),
        )


def _json(data: Any) -> bytes:
    import json

    return json.dumps(data).encode()


async def dead_letters(amqp_url: str, queue: str, *, timeout: float = 15, wanted: int = 1) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take messages from a dead-letter queue (they are acknowledged: the test owns them)."""
    found = []
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        dead = await channel.declare_queue(queue, durable=True)
        deadline = time.monotonic() + timeout
        while len(found) < wanted and time.monotonic() < deadline:
            message = await dead.get(fail=False)
            if message is None:
                await asyncio.sleep(0.2)
                continue
            await message.ack()
            found.append(message)
    return found


def token(settings: Settings, *municipalities: str, role: str = "caseworker", sub: str = "tester") -> dict[str, str]:
    jwt = mint_token(settings, sub=sub, name="Testi Käyttäjä", roles=[role], municipalities=list(municipalities))
    return {"Authorization": f"Bearer {jwt}"}


async def eventually(check: Callable[[], Awaitable[Any]], *, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """Poll until `check` returns something truthy; fail with what we waited for."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


async def ok(http, method: str, path: str, staff, body: dict | None = None) -> dict:
    """A staff call that must answer 200; its JSON."""
    response = await http.request(method, path, json=body, headers=staff)
    assert response.status_code == 200, response.text
    return response.json()


async def answers_200(call: Awaitable[Any]) -> bool:
    """Whether a request answers 200 (for `eventually`: a workflow's record is there)."""
    return (await call).status_code == 200


async def register_source(
    runtime: Runtime, source: str = PRODUCER, municipalities: list[str] | None = None, *, broker_user: str | None = None
) -> None:
    """Allow a producing system to publish (by default for every municipality)."""
    from services.intake.sources.service import register_source as register
    from shared.municipalities import all_municipalities

    codes = municipalities or [municipality.code for municipality in all_municipalities()]
    async with runtime.contexts["intake"].db.session() as session:
        await register(session, source=source, name="Test register", municipalities=codes, broker_user=broker_user)
        await session.commit()


@asynccontextmanager
async def running(settings: Settings, services=None, *, producer_registered: bool = True):
    """Kotopolku (migrated, consumers, relays, workers) in this event loop, with an HTTP client.
    The test producer PRODUCER is registered for every municipality unless told otherwise."""
    runtime = Runtime(settings, services) if services else Runtime(settings)
    await empty_queues(settings.amqp_url, runtime)
    await runtime.migrate()
    if producer_registered and "intake" in runtime.contexts:
        await register_source(runtime)
    app = create_app(runtime)
    await runtime.start()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kotopolku") as client:
            yield runtime, client
    finally:
        unstopped = await runtime.stop()
        assert not unstopped, f"background loops that did not stop when Kotopolku stopped: {unstopped}"


async def empty_queues(amqp_url: str, runtime: Runtime) -> None:
    """The broker outlives each test, the databases don't: start from empty queues, so that
    events an earlier test left behind don't land in this test's projections."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for parts in runtime.parts.values():
            for subscription in parts.subscriptions:
                names = [subscription.queue, subscription.dead_letter_queue]
                names += [subscription.retry_queue(delay) for delay in runtime.settings.retry_delays_seconds]
                for name in names:
                    await channel.queue_delete(name)


_port_picker = random.Random()  # its own: tests and libraries (Hypothesis) may seed the shared one
_ports_given: set[int] = set()


def free_port() -> int:
    """A free port below the kernel's ephemeral range (32768 up): a port the kernel handed out could
    be handed out again, e.g. to one of the embedded Temporal server's own listeners, before the
    process under test binds it. Never the same port twice in one test run."""
    while True:
        port = _port_picker.randint(20000, 32000)
        if port in _ports_given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port


def app_of(runtime: Runtime):
    """The HTTP application of a runtime that `running` has already started."""

    @asynccontextmanager
    async def already_started(_app):
        yield

    app = create_app(runtime)
    app.router.lifespan_context = already_started
    return app


@asynccontextmanager
async def serving(app, port: int, config: uvicorn.Config | None = None):
    """A real uvicorn in this loop (SSE can't be tested through ASGITransport: it buffers); `config`:
    another than the plain one (e.g. the command line's, services.cli.uvicorn_config)."""
    server = uvicorn.Server(config or uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def children(pid: int) -> list[int]:
    """A running process's children (none once it has ended)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run_worker_processes(run_pid: int) -> list[int]:
    """`kotopolku run`'s worker process (a fork of it: the same command line), not the Temporal
    server it started."""
    command = Path(f"/proc/{run_pid}/cmdline").read_bytes()
    found = []
    for child in children(run_pid):
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                found.append(child)
        except OSError:
            pass  # ended meanwhile
    return found


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


# --- recruitment notices ---------------------------------------------------------------------


def make_business_id(number: int) -> str:
    """A valid business id (Y-tunnus) near `number` (numbers without a check digit are skipped)."""
    while True:
        body = f"{number:07d}"
        remainder = sum(weight * int(digit) for weight, digit in zip((7, 9, 10, 5, 8, 4, 2), body)) % 11
        if remainder != 1:
            return f"{body}-{0 if remainder == 0 else 11 - remainder}"
        number += 1


def notice(*, arrival: date | None = None, municipality_code: str = "905", **overrides) -> dict[str, Any]:
    """A valid recruitment notice body (CONTRACT.md §2), arriving in 60 days unless told."""
    arrival = arrival or finnish_today() + timedelta(days=60)
    body = {
        "recruit": {"given_names": "Nguyen Van", "family_name": "An", "birth_date": "1995-02-01",
                    "nationality": "VN", "languages": ["vi", "en"], "email": "an@example.org"},
        "employment": {"job_title": "Welder", "start_date": (arrival + timedelta(days=14)).isoformat(),
                       "workplace_municipality_code": municipality_code},
        "expected_arrival_on": arrival.isoformat(),
        "destination_municipality_code": municipality_code,
        "family": {"adults": 1, "children_birth_years": [arrival.year - 8, arrival.year - 5]},
        "contact": {"name": "HR Person", "email": "hr@example.com", "phone": "+35861234567"},
        "consent": {"given": True, "given_on": finnish_today().isoformat()},
    }
    for part, value in overrides.items():
        body[part] = {**body[part], **value} if isinstance(value, dict) and isinstance(body.get(part), dict) else value
    return body


async def employer_key(runtime: Runtime, business_id: str = "0112038-9", name: str = "Example Oy") -> dict[str, str]:
    """Register an employer straight in the intake database; its X-API-Key header."""
    from services.intake.employers.service import create_employer

    async with runtime.contexts["intake"].db.session() as session:
        _, key = await create_employer(session, business_id=business_id, name=name)
        await session.commit()
    return {"X-API-Key": key}


NOTICES = "/api/v1/recruitment-notices"
MUNICIPAL_NOTICES = "/api/v1/municipal/recruitment-notices"
MATCH_REVIEWS = "/api/v1/municipal/match-reviews"


async def submitted(http, headers, body=None, **extra_headers) -> dict:
    """A notice the employer API accepted (201)."""
    response = await http.post(NOTICES, json=body or notice(), headers={**headers, **extra_headers})
    assert response.status_code == 201, response.text
    return response.json()


async def notifications(http, headers, kind: str) -> list[dict]:
    return [item for item in (await http.get("/api/v1/notifications", headers=headers)).json() if item["kind"] == kind]


def refusal(response, code: str) -> dict:
    """A 409 refusal with its code and its reason in Finnish, Swedish and English."""
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert detail["code"] == code and set(detail["messages"]) == {"fi", "sv", "en"}
    return detail
