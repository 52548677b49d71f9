"""Workflow starts and signals leave after the commit: against a real Temporal server and both
databases. A rolled-back start never reaches Temporal; Temporal being away only delays them."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import workflow

# The sandbox re-imports this module for the test workflow: what it needs not is passed through.
with workflow.unsafe.imports_passed_through():
    import pytest
    from pydantic import BaseModel
    from sqlmodel import select
    from temporalio.client import Client

    from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
    from shared.db import Database
    from shared.temporal import build_worker
    from shared.workflow_commands import WorkflowCommand, WorkflowCommandRelay, signal_workflow, start_workflow
    from support import eventually

QUEUE = "kotopolku-test-workflow-commands"


class Greeting(BaseModel):
    name: str


@workflow.defn(name="TestGreeter")
class Greeter:
    @workflow.init
    def __init__(self, greeting: Greeting) -> None:
        self.heard: list[str] = [greeting.name]  # before any signal is handled

    @workflow.run
    async def run(self, greeting: Greeting) -> list[str]:
        await workflow.wait_condition(lambda: "bye" in self.heard)
        return self.heard

    @workflow.signal(name="say")
    def say(self, word: str) -> None:
        self.heard.append(word)




@pytest.fixture
async def worker(temporal_env, temporal_address):
    worker = build_worker(temporal_env.client, QUEUE, [Greeter], [])
    task = asyncio.create_task(worker.run())
    yield temporal_env.client
    await worker.shutdown()
    await task


async def relay_running(database: Database, client: Client):
    relay = WorkflowCommandRelay(database, client, poll_interval=0.1)
    return asyncio.create_task(relay.run())


async def result_of(client: Client, workflow_id: str) -> list[str]:
    """The workflow's result, once the relay has started it."""
    handle = client.get_workflow_handle(workflow_id)
    for _ in range(200):
        try:
            await handle.describe()
            break
        except Exception:  # not started yet
            await asyncio.sleep(0.1)
    return await asyncio.wait_for(handle.result(), 20)


async def stop(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_committed_start_and_signal_reach_the_workflow_in_order(database, worker):
    workflow_id = f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        start_workflow(session, "TestGreeter", Greeting(name="hei"), id=workflow_id, task_queue=QUEUE)
        signal_workflow(session, workflow_id, "say", "moi")
        signal_workflow(session, workflow_id, "say", "bye")
        await session.commit()
    relay = await relay_running(database, worker)
    try:
        assert await result_of(worker, workflow_id) == ["hei", "moi", "bye"]

        async def all_marked_sent() -> bool:
            # The relay marks a row once Temporal has taken it: the last signal may finish the
            # workflow a moment before its row is marked.
            async with database.session() as session:
                rows = (await session.exec(select(WorkflowCommand))).all()
            return len(rows) == 3 and all(row.sent_at is not None for row in rows)

        await eventually(all_marked_sent, what="every command marked sent")
    finally:
        await stop(relay)


async def test_a_rolled_back_start_never_reaches_temporal(database, worker):
    workflow_id = f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        start_workflow(session, "TestGreeter", Greeting(name="hei"), id=workflow_id, task_queue=QUEUE)
        await session.rollback()
    relay = await relay_running(database, worker)
    try:
        await asyncio.sleep(1)
        assert [execution async for execution in worker.list_workflows(f'WorkflowId="{workflow_id}"')] == []
    finally:
        await stop(relay)


async def test_a_signal_to_a_workflow_that_ended_is_dropped_without_blocking_the_rest(database, worker):
    ended, later = f"greeter-{uuid.uuid4()}", f"greeter-{uuid.uuid4()}"
    handle = await worker.start_workflow("TestGreeter", Greeting(name="hei"), id=ended, task_queue=QUEUE)
    await handle.signal("say", "bye")
    await handle.result()
    async with database.session() as session:
        signal_workflow(session, ended, "say", "too late")
        start_workflow(session, "TestGreeter", Greeting(name="seuraava"), id=later, task_queue=QUEUE)
        signal_workflow(session, later, "say", "bye")
        await session.commit()
    relay = await relay_running(database, worker)
    try:
        assert await result_of(worker, later) == ["seuraava", "bye"]
    finally:
        await stop(relay)


async def test_temporal_away_delays_the_start_without_spending_attempts(database, worker, temporal_env):
    workflow_id = f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        start_workflow(session, "TestGreeter", Greeting(name="odota"), id=workflow_id, task_queue=QUEUE)
        signal_workflow(session, workflow_id, "say", "bye")
        await session.commit()

    # A Temporal that does not answer: nothing listens on the port.
    unreachable = await Client.connect("127.0.0.1:9", lazy=True, data_converter=temporal_env.client.data_converter)
    relay = WorkflowCommandRelay(database, unreachable)
    with pytest.raises(Exception):
        await asyncio.wait_for(relay.send_pending(), 30)
    async with database.session() as session:
        rows = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_id == workflow_id))).all()
    assert [(row.sent_at, row.attempts) for row in rows] == [(None, 0), (None, 0)]

    # Temporal answers again: the waiting rows go, in order.
    task = await relay_running(database, worker)
    try:
        assert await result_of(worker, workflow_id) == ["odota", "bye"]
    finally:
        await stop(task)


async def test_several_relays_of_one_service_never_send_a_signal_before_its_start(database, worker):
    ids = [f"greeter-{uuid.uuid4()}" for _ in range(20)]
    async with database.session() as session:
        for workflow_id in ids:
            start_workflow(session, "TestGreeter", Greeting(name="hei"), id=workflow_id, task_queue=QUEUE)
            signal_workflow(session, workflow_id, "say", "bye")
        await session.commit()
    relays = [asyncio.create_task(WorkflowCommandRelay(database, worker, batch_size=3, poll_interval=0.05).run()) for _ in range(3)]
    try:
        for workflow_id in ids:
            assert await result_of(worker, workflow_id) == ["hei", "bye"]  # no signal was dropped
    finally:
        for relay in relays:
            await stop(relay)
