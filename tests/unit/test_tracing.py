"""The trace context's carriers: the CloudEvent's `traceparent`, a workflow command's row, the log line."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from shared.envelope import Envelope, parse_amqp
from shared.tracing import add_trace_ids, current_traceparent, otlp_endpoint, span, traceparent_in
from shared.workflow_commands import TRACED, WorkflowCommand, _json, unwrap


def _tracing_on() -> None:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())


def test_an_event_written_in_a_span_carries_its_traceparent_to_the_consumer():
    _tracing_on()
    with span("work") as current:
        envelope = Envelope.new(type="t", source="s", data={})
    trace_id = format(current.get_span_context().trace_id, "032x")
    read = parse_amqp(envelope.to_json(), "application/cloudevents+json", {})
    assert read.trace_parent().split("-")[1] == trace_id
    assert traceparent_in(envelope.to_json()) == read.trace_parent()
    assert Envelope.new(type="t", source="s", data={}).trace_parent() is None  # outside a span: none


def test_a_bad_traceparent_starts_a_new_trace_instead_of_failing():
    _tracing_on()
    for bad in ("nonsense", 42, None, ""):
        with span("consume", traceparent=bad) as current:
            assert current.get_span_context().is_valid
    assert traceparent_in(b'{"traceparent": 1}') is None
    assert traceparent_in(b"not json traceparent") is None


def test_a_workflow_command_keeps_its_trace_in_its_own_column_and_old_rows_still_read():
    _tracing_on()
    with span("request"):
        traceparent = current_traceparent()
        row = WorkflowCommand(kind="signal", workflow_id="w", signal="say", arg=_json({"name": "hei"}), traceparent=traceparent)
    assert row.arg == {"name": "hei"}  # the argument alone
    assert unwrap(row) == (traceparent, {"name": "hei"})
    old = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    wrapped = WorkflowCommand(kind="signal", workflow_id="w", signal="say", arg={TRACED: {"traceparent": old, "arg": "moi"}})
    assert unwrap(wrapped) == (old, "moi")  # written before the column
    assert unwrap(WorkflowCommand(kind="signal", workflow_id="w", signal="say", arg={"name": "hei"})) == (None, {"name": "hei"})
    assert unwrap(WorkflowCommand(kind="signal", workflow_id="w", signal="say", arg=None)) == (None, None)


def test_log_lines_name_their_trace():
    _tracing_on()
    assert "trace_id" not in add_trace_ids(None, "info", {"event": "outside"})
    with span("work") as current:
        line = add_trace_ids(None, "info", {"event": "inside"})
    assert line["trace_id"] == format(current.get_span_context().trace_id, "032x")


def test_kotopolkus_own_endpoint_setting_comes_before_the_standard_one(monkeypatch):
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://standard:4318")
    assert otlp_endpoint("http://own:4318") == "http://own:4318"
    assert otlp_endpoint(None) == "http://standard:4318"
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT")
    assert otlp_endpoint(None) is None
