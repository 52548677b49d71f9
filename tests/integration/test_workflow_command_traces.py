"""A workflow command keeps the trace it was written in, in its own column: the relay's span
continues it and Temporal's interceptor carries it into the workflow. A row written before that
column (its traceparent wrapped in the argument's JSON) still continues its trace and its workflow
still gets the bare argument. Against a real Temporal dev server and both databases, with an
in-memory span exporter."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import workflow

# The sandbox re-imports this module for the test workflow: what it needs not is passed through.
with workflow.unsafe.imports_passed_through():
    import pytest
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from pydantic import BaseModel
    from sqlmodel import select
    from temporalio.client import Client
    from temporalio.contrib.opentelemetry import TracingInterceptor

    from shared.clock import now
    from shared.tracing import span
    from shared.workflow_commands import TRACED, WorkflowCommand, WorkflowCommandRelay, signal_workflow, start_workflow
    from shared.temporal import build_worker
    from support import eventually

QUEUE = "kotopolku-test-traced-commands"
OLD_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


class Greeting(BaseModel):
    name: str


@workflow.defn(name="TracedGreeter")
class TracedGreeter:
    @workflow.init
    def __init__(self, greeting: Greeting) -> None:
        self.heard: list[str] = [greeting.name]

    @workflow.run
    async def run(self, greeting: Greeting) -> list[str]:
        await workflow.wait_condition(lambda: "bye" in self.heard)
        return self.heard

    @workflow.signal(name="say")
    def say(self, word: str) -> None:
        self.heard.append(word)


@pytest.fixture
async def traced_client(temporal_env, temporal_address):
    """The shared server through a client with Temporal's tracing interceptor, as Kotopolku's; a worker on it."""
    base = temporal_env.client
    client = Client(base.service_client, namespace=base.namespace, data_converter=base.data_converter, interceptors=[TracingInterceptor()])
    worker = build_worker(client, QUEUE, [TracedGreeter], [])
    task = asyncio.create_task(worker.run())
    yield client
    await worker.shutdown()
    await task


async def sent_and_finished(database, client: Client, workflow_id: str) -> list[str]:
    relay = asyncio.create_task(WorkflowCommandRelay(database, client, poll_interval=0.1).run())
    try:
        handle = client.get_workflow_handle(workflow_id)

        async def started():
            try:
                return await handle.describe()
            except Exception:  # not started yet
                return None

        await eventually(started, what="the workflow started by the relay")
        return await asyncio.wait_for(handle.result(), 30)
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


def trace_ids(spans: InMemorySpanExporter, prefix: str) -> set[str]:
    return {format(finished.context.trace_id, "032x") for finished in spans.get_finished_spans() if finished.name.startswith(prefix)}


async def test_a_command_keeps_its_trace_in_its_own_column_and_the_workflow_continues_it(database, traced_client, spans):
    spans.clear()
    workflow_id = f"traced-{uuid.uuid4()}"
    with span("staff command") as request:
        async with database.session() as session:
            start_workflow(session, "TracedGreeter", Greeting(name="hei"), id=workflow_id, task_queue=QUEUE)
            signal_workflow(session, workflow_id, "say", "bye")
            await session.commit()
    trace_id = format(request.get_span_context().trace_id, "032x")
    async with database.session() as session:
        rows = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_id == workflow_id).order_by(WorkflowCommand.id))).all()
    assert [row.traceparent.split("-")[1] for row in rows] == [trace_id, trace_id]
    assert [row.arg for row in rows] == [{"name": "hei"}, "bye"]  # the argument alone, as the workflow takes it

    assert await sent_and_finished(database, traced_client, workflow_id) == ["hei", "bye"]
    assert trace_ids(spans, "start TracedGreeter") == {trace_id}
    assert trace_ids(spans, "signal say") == {trace_id}

    async def workflow_span_in_trace():
        return trace_ids(spans, "RunWorkflow:TracedGreeter") == {trace_id} or None

    await eventually(workflow_span_in_trace, what="the workflow's span in the command's trace")


async def test_a_row_written_with_the_trace_in_its_argument_still_continues_it(database, traced_client, spans):
    spans.clear()
    workflow_id = f"traced-{uuid.uuid4()}"
    old = f"00-{OLD_TRACE}-00f067aa0ba902b7-01"
    async with database.session() as session:
        session.add(WorkflowCommand(
            kind="start", workflow_id=workflow_id, workflow_type="TracedGreeter", task_queue=QUEUE,
            arg={TRACED: {"traceparent": old, "arg": {"name": "vanha"}}}, created_at=now(),
        ))
        session.add(WorkflowCommand(kind="signal", workflow_id=workflow_id, signal="say", arg="bye", created_at=now()))  # untraced
        await session.commit()

    assert await sent_and_finished(database, traced_client, workflow_id) == ["vanha", "bye"]
    assert trace_ids(spans, "start TracedGreeter") == {OLD_TRACE}
    assert OLD_TRACE not in trace_ids(spans, "signal say")  # an untraced command starts a trace of its own
