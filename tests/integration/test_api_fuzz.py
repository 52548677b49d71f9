"""No input makes any HTTP endpoint answer 500: every operation of the OpenAPI document gets
generated requests (valid and invalid) against a real Kotopolku, signed in as staff and as an
employer."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings

from support import app_of, free_port, make_settings, register_source, running, serving, token

EXAMPLES_PER_OPERATION = int(os.environ.get("KOTOPOLKU_FUZZ_EXAMPLES", "40"))


@pytest.fixture
def live_kotopolku(tmp_path_factory, amqp_url, temporal_address):
    """Kotopolku on a real port, in a thread of its own (the fuzzer's calls are synchronous)."""
    settings = make_settings(tmp_path_factory.mktemp("fuzz"), amqp_url=amqp_url, temporal_address=temporal_address, database_url=None,
        staff_requests_per_minute=100_000)  # thousands of calls by one token: not what the limit is for
    port, ready, stop, failure = free_port(), threading.Event(), threading.Event(), []
    headers: dict[str, str] = {}
    admin: dict[str, str] = {}

    async def serve() -> None:
        async with running(settings) as (runtime, _http):
            await register_source(runtime)
            headers.update(token(settings, "109", "905", role="coordinator"))
            admin["Authorization"] = token(settings, "109", "905", role="admin")["Authorization"]  # webhooks are admins' only
            headers["X-API-Key"] = await _employer_key(runtime)
            async with serving(app_of(runtime), port) as base:
                headers["base"] = base
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.1)

    def thread_main() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:  # shown by the fixture below
            failure.append(error)
            ready.set()

    thread = threading.Thread(target=thread_main, daemon=True)
    thread.start()
    ready.wait(timeout=120)
    if failure:
        raise failure[0]
    base = headers.pop("base")
    yield base, headers, admin
    stop.set()
    thread.join(timeout=60)


async def _employer_key(runtime) -> str:
    from services.intake.employers import service

    async with runtime.contexts["intake"].db.session() as session:
        _employer, key = await service.create_employer(session, business_id="0112038-9", name="Fuzz Oy")
        await session.commit()
    return key


def test_no_input_makes_any_endpoint_fail_with_500(live_kotopolku):
    base, headers, admin = live_kotopolku
    only = os.environ.get("KOTOPOLKU_FUZZ_ONLY")  # e.g. /api/v1/webhooks: the operations under one path
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    failures, tested = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):
            continue  # endless by design; its bad inputs are covered by the feed's own tests
        if only and not operation.path.startswith(only):
            continue
        tested.append(f"{operation.method.upper()} {operation.path}")
        signed_in = {**headers, **admin} if operation.path.startswith("/api/v1/webhooks") else headers

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=os.environ.get("KOTOPOLKU_FUZZ_RANDOM") is None,  # the same cases every run in CI
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case):
            response = case.call(base_url=base, headers={**signed_in, **(case.headers or {})}, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:300]}")

        no_server_error()
    assert only or {"GET /api/v1/cases/{case_id}", "POST /api/v1/recruitment-notices", "GET /readyz"} <= set(tested)
    assert not failures, "\n".join(failures[:20])
