"""One trace across the whole way, against real RabbitMQ, a real Temporal dev server, SQLite and
PostgreSQL: a municipal system's registration (its CloudEvent's `traceparent`) → the consumer →
the workflow command → the Temporal workflow and its activities → the outbox relay → the published
case.updated, whose own `traceparent` lets the next consumer go on; and the trace id in the logs."""

from __future__ import annotations

import io
import json
import logging

import aio_pika
import pytest
from opentelemetry.trace import SpanKind

from shared.contracts import CASE_UPDATED, EVENTS_EXCHANGE, RESIDENT_REGISTERED
from shared.logging import configure_logging
from shared.tracing import span
from support import event, eventually, publish, registration, running, token


@pytest.fixture
def json_logs():
    """The process's JSON log lines, as Kotopolku writes them; the root handlers put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", "json")
    written = io.StringIO()
    copy = logging.StreamHandler(written)
    copy.setFormatter(root.handlers[0].formatter)  # the same JSON lines as stderr's
    root.addHandler(copy)

    def lines() -> list[dict]:
        read = []
        for line in written.getvalue().splitlines():
            try:
                read.append(json.loads(line))
            except ValueError:
                pass
        return read

    yield lines
    root.handlers[:], root.level = handlers, level


async def test_a_registration_is_one_trace_from_the_producer_to_the_published_case_update(settings, amqp_url, spans, json_logs):
    spans.clear()
    staff = token(settings, "109")
    async with running(settings) as (_runtime, http):
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            feed = await channel.declare_queue(exclusive=True)
            await feed.bind(EVENTS_EXCHANGE, routing_key=CASE_UPDATED)

            with span("municipal system registers a resident") as producer:
                registered = event(registration(municipality_code="109"))
            trace_id = producer.get_span_context().trace_id
            assert registered.trace_parent() is not None
            await publish(amqp_url, registered)

            async def awaiting_assessment():
                items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
                return [item for item in items if item["status"] == "awaiting_assessment"]

            await eventually(awaiting_assessment, what="the case awaiting its assessment")

            # The published case updates carry the trace on: a consumer of them continues it.
            message = await feed.get(timeout=10, fail=False)
            assert message is not None, "no case.updated event"
            await message.ack()
            updates = [json.loads(message.body)]
            assert [update["data"]["status"] for update in updates] == ["awaiting_assessment"]
            for update in updates:
                assert update["traceparent"].split("-")[1] == format(trace_id, "032x")

    def names_in_trace() -> list[str]:
        return [finished.name for finished in spans.get_finished_spans() if finished.context.trace_id == trace_id]

    # AMQP in, the workflow command relay, Temporal (client, workflow, activity), the outbox relay.
    names = await eventually(
        lambda: _all_there(names_in_trace()), what="the spans of the registration's trace"
    )
    assert f"consume {RESIDENT_REGISTERED}" in names
    assert any(name.startswith("start ") for name in names), names
    assert any(name.startswith("StartWorkflow:") for name in names), names
    assert any(name.startswith("RunWorkflow:") for name in names), names
    assert any(name.startswith("RunActivity:") for name in names), names
    assert names.count(f"publish {CASE_UPDATED}") >= 1, names
    # The awaiting_assessment update left through the outbox relay: its span is in the same trace.
    published = [finished for finished in spans.get_finished_spans() if finished.name == f"publish {CASE_UPDATED}"]
    assert {finished.context.trace_id for finished in published} == {trace_id}

    # The consumer's log line of the registration names the trace.
    processed = [line for line in json_logs() if line.get("event") == "event processed" and line.get("event_type") == RESIDENT_REGISTERED]
    assert processed and processed[0]["trace_id"] == format(trace_id, "032x")


async def test_an_http_request_continues_its_callers_trace(settings, spans):
    spans.clear()
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    async with running(settings, ["notifications"]) as (_runtime, http):
        response = await http.get("/api/v1/cases?q=Hassan", headers={**token(settings, "109"), "traceparent": caller})
        assert response.status_code == 200
    # One span for the request, in the caller's trace; the name searched for is nowhere in it.
    [request] = [finished for finished in spans.get_finished_spans() if finished.kind == SpanKind.SERVER]
    assert request.name == "GET /api/v1/cases"
    assert format(request.context.trace_id, "032x") == "0af7651916cd43dd8448eb211c80319c"
    assert request.attributes["http.response.status_code"] == 200
    assert "Hassan" not in repr(dict(request.attributes))


async def _all_there(names: list[str]) -> list[str] | None:
    """The names once the case's update has been relayed and the assessment's activity ran (else None: wait)."""
    return names if any(name == f"publish {CASE_UPDATED}" for name in names) and any(n.startswith("RunActivity:") for n in names) else None
