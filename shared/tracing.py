"""Traces (OpenTelemetry) across the whole way of a case: the HTTP request or AMQP message in, the
Temporal workflow and its activities, the outbox relay and each published event or webhook.

The trace context travels where the work travels: in the CloudEvent as its `traceparent`
extension attribute (CloudEvents' distributed-tracing extension) written when the event is put in
the outbox, in a workflow command's row until the relay sends it, and in Temporal's headers
(temporalio's TracingInterceptor). Spans are few on purpose: one per HTTP request, per consumed
message, per relay send, per webhook delivery, and Temporal's own.

Nothing is exported unless an OTLP endpoint is configured (`configure_tracing`); without one no
tracer provider is installed, spans cost nothing and events carry no `traceparent`.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import Any, Iterator

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("kotopolku")


def otlp_endpoint(configured: str | None) -> str | None:
    """Kotopolku's own setting first, else the standard OpenTelemetry variable."""
    return configured or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or None


def configure_tracing(endpoint: str | None, service_name: str = "kotopolku") -> bool:
    """Export spans over OTLP/HTTP to `endpoint` (e.g. http://collector:4318); nothing when None.
    Says whether tracing is on."""
    if not endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")))
    trace.set_tracer_provider(provider)
    return True


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the span now running, None outside any (or when tracing is off)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_of(traceparent: Any) -> otel_context.Context | None:
    """The context a `traceparent` continues; None for a missing or unreadable one (a new trace)."""
    if not isinstance(traceparent, str) or not traceparent:
        return None
    return _propagator.extract({TRACEPARENT: traceparent})


def traceparent_in(body: bytes | str) -> str | None:
    """The `traceparent` of a structured CloudEvent as stored (an outbox row, a webhook's body)."""
    raw = body.encode() if isinstance(body, str) else body
    if b'"traceparent"' not in raw:
        return None  # tracing was off where it was written: no need to read the event
    try:
        value = json.loads(raw).get(TRACEPARENT)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


@contextmanager
def span(name: str, *, traceparent: Any = None, kind: SpanKind = SpanKind.INTERNAL, **attributes: Any) -> Iterator[trace.Span]:
    """A span continuing `traceparent` when given (else the current context); an error that
    escapes it marks it failed."""
    parent = context_of(traceparent)
    attrs = {key.replace("_", "."): value for key, value in attributes.items() if value is not None}
    with tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attrs) as current:
        yield current


def add_trace_ids(_logger, _method, event_dict):
    """structlog processor: the trace and span of the line, so a log line leads to its trace."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


class TraceRequests:
    """ASGI middleware: one server span per HTTP request, continuing the caller's `traceparent`
    header, named and described by the route's template, method and status only — never the path's
    ids nor the query (a name search carries a person's name), which FastAPI's own spans and
    opentelemetry-instrumentation-fastapi record."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"] if key == b"traceparent"}
        method = scope.get("method", "")
        with span(method, traceparent=headers.get(TRACEPARENT), kind=SpanKind.SERVER,
                  http_request_method=method) as current:
            status: dict[str, int] = {}

            async def send_noting_status(message) -> None:
                if message["type"] == "http.response.start":
                    status["code"] = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, send_noting_status)
            finally:
                route = scope.get("route")
                if route is not None and getattr(route, "path", None):
                    current.update_name(f"{method} {route.path}")  # the template, not the client's id
                    current.set_attribute("http.route", route.path)
                if "code" in status:
                    current.set_attribute("http.response.status_code", status["code"])
                    if status["code"] >= 500:
                        current.set_status(Status(StatusCode.ERROR))
