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
    from prometheus_client import REGISTRY
    from temporalio.client import Client, Interceptor, OutboundInterceptor, StartWorkflowInput
    from temporalio.service import RPCError, RPCStatusCode

    from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
    from shared.db import Database
    from shared.temporal import build_worker
    from shared.workflow_commands import WorkflowCommand, WorkflowCommandRelay, given_up, replay_given_up, signal_workflow, start_workflow
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


class Answering(Interceptor):
    """The real client, with Temporal's answer to some starts replaced by an error."""

    def __init__(self, status: RPCStatusCode, *, times: int = 0, workflow_id: str | None = None) -> None:
        self.status = status
        self.times = times  # the next this many starts
        self.workflow_id = workflow_id  # or every start of this workflow, while `refusing`
        self.refusing = True

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        answering = self

        class Outbound(OutboundInterceptor):
            async def start_workflow(self, input: StartWorkflowInput):
                if answering.times > 0 or (answering.refusing and input.id == answering.workflow_id):
                    answering.times = max(0, answering.times - 1)
                    raise RPCError(f"{answering.status.name} (the test's)", answering.status, b"")
                return await super().start_workflow(input)

        return Outbound(next)


def answered(client: Client, interceptor: Interceptor) -> Client:
    return Client(client.service_client, namespace=client.namespace, data_converter=client.data_converter, interceptors=[interceptor])


async def commands_of(database: Database, workflow_id: str) -> list[WorkflowCommand]:
    async with database.session() as session:
        query = select(WorkflowCommand).where(WorkflowCommand.workflow_id == workflow_id).order_by(WorkflowCommand.id)
        return list((await session.exec(query)).all())


async def test_a_start_temporal_is_too_busy_for_arrives_before_its_signal(database, worker):
    """RESOURCE_EXHAUSTED (a rate limit) is not a refusal: the start is sent again after a pause,
    and the signal written after it waits for it instead of overtaking it and being dropped."""
    workflow_id = f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        start_workflow(session, "TestGreeter", Greeting(name="kiire"), id=workflow_id, task_queue=QUEUE)
        signal_workflow(session, workflow_id, "say", "bye")
        await session.commit()
    busy = Answering(RPCStatusCode.RESOURCE_EXHAUSTED, times=2)
    relay = await relay_running(database, answered(worker, busy))
    try:
        assert await result_of(worker, workflow_id) == ["kiire", "bye"]
        assert busy.times == 0
        rows = await commands_of(database, workflow_id)
        assert [(row.attempts, row.given_up_at) for row in rows] == [(0, None), (0, None)]
    finally:
        await stop(relay)


def given_up_count(database: Database, kind: str) -> float:
    return REGISTRY.get_sample_value("kotopolku_workflow_commands_given_up_total", {"service": database.service, "kind": kind}) or 0


async def test_a_refused_start_is_given_up_with_its_reason_and_a_replay_sends_it(database, worker):
    refused, other = f"greeter-{uuid.uuid4()}", f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        for workflow_id in (refused, other):
            start_workflow(session, "TestGreeter", Greeting(name="hei"), id=workflow_id, task_queue=QUEUE)
            signal_workflow(session, workflow_id, "say", "bye")
        await session.commit()
    before = given_up_count(database, "start")
    refusing = Answering(RPCStatusCode.INVALID_ARGUMENT, workflow_id=refused)
    relay = await relay_running(database, answered(worker, refusing))
    try:
        assert await result_of(worker, other) == ["hei", "bye"]  # other workflows go on

        async def refused_given_up():
            start, _ = await commands_of(database, refused)
            return start.given_up_at is not None

        await eventually(refused_given_up, what="the refused start given up")
        start, signal = await commands_of(database, refused)
        assert start.last_error.startswith("INVALID_ARGUMENT") and start.sent_at is None
        assert (signal.sent_at, signal.given_up_at) == (None, None)  # waits behind its start
        assert given_up_count(database, "start") == before + 1
        assert [row.id for row in await given_up(database)] == [start.id]

        refusing.refusing = False  # the cause fixed
        assert await replay_given_up(database) == 1
        assert await result_of(worker, refused) == ["hei", "bye"]
        assert await given_up(database) == []
    finally:
        await stop(relay)



async def test_commands_waiting_behind_a_given_up_start_do_not_hold_up_other_workflows(database, worker):
    refused, later = f"greeter-{uuid.uuid4()}", f"greeter-{uuid.uuid4()}"
    async with database.session() as session:
        start_workflow(session, "TestGreeter", Greeting(name="hei"), id=refused, task_queue=QUEUE)
        for word in ("yksi", "kaksi", "kolme", "bye"):  # more than a batch
            signal_workflow(session, refused, "say", word)
        start_workflow(session, "TestGreeter", Greeting(name="hei"), id=later, task_queue=QUEUE)
        signal_workflow(session, later, "say", "bye")
        await session.commit()
    relay = WorkflowCommandRelay(database, answered(worker, Answering(RPCStatusCode.INVALID_ARGUMENT, workflow_id=refused)), batch_size=2, poll_interval=0.1)
    task = asyncio.create_task(relay.run())
    try:
        assert await result_of(worker, later) == ["hei", "bye"]
        assert [row.sent_at for row in await commands_of(database, refused)] == [None] * 5
    finally:
        await stop(task)

async def test_admins_see_given_up_commands_with_their_reasons_and_replay_them(database, tmp_path):
    import httpx
    from fastapi import FastAPI

    from shared.clock import now
    from shared.http import install_error_handlers
    from shared.service import ServiceContext
    from shared.workflow_commands_api import router
    from support import make_settings, token

    settings = make_settings(tmp_path, amqp_url="amqp://unused", temporal_address="127.0.0.1:9", database_url=None)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.state.settings = settings
    app.state.contexts = {"intake": ServiceContext("intake", settings, database, policy=None)}
    app.state.workflow_command_services = ["intake"]
    async with database.session() as session:
        session.add(WorkflowCommand(
            kind="start", workflow_id="client-1", workflow_type="TestGreeter", task_queue=QUEUE, arg={"name": "hei"},
            created_at=now(), given_up_at=now(), attempts=1, last_error="INVALID_ARGUMENT: bad input",
        ))
        await session.commit()
    admin, caseworker = token(settings, "109", role="admin"), token(settings, "109")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kotopolku") as http:
        assert (await http.get("/api/v1/admin/workflow-commands", headers=caseworker)).status_code == 403
        [listed] = (await http.get("/api/v1/admin/workflow-commands", headers=admin)).json()
        assert (listed["service"], listed["kind"], listed["workflow_id"], listed["error"]) == ("intake", "start", "client-1", "INVALID_ARGUMENT: bad input")
        assert set(listed["reason"]) == {"fi", "sv", "en"} and "client-1" in listed["reason"]["fi"]

        elsewhere = await http.post("/api/v1/admin/workflow-commands/replay", json={"service": "planning"}, headers=admin)
        assert elsewhere.status_code == 404 and set(elsewhere.json()["detail"]["messages"]) == {"fi", "sv", "en"}
        replayed = await http.post("/api/v1/admin/workflow-commands/replay", json={"service": "intake"}, headers=admin)
        assert replayed.json() == {"replayed": 1}
        assert (await http.get("/api/v1/admin/workflow-commands", headers=admin)).json() == []
    async with database.session() as session:
        [row] = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_id == "client-1"))).all()
    assert (row.given_up_at, row.sent_at) == (None, None)  # waiting to be sent again


def test_the_command_line_lists_given_up_commands_and_replays_them(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from services.cli import main
    from shared.clock import now
    from shared.settings import load_settings

    monkeypatch.setenv("KOTOPOLKU_VAR_DIR", str(tmp_path))
    for variable in ("KOTOPOLKU_DATABASE_URL", "KOTOPOLKU_INTAKE_DATABASE_URL", "KOTOPOLKU_PLANNING_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    intake = Database("intake", load_settings().service_database_url("intake"))

    async def a_given_up_start() -> None:
        await intake.migrate(INTAKE_MIGRATIONS)
        async with intake.session() as session:
            session.add(WorkflowCommand(
                kind="start", workflow_id="client-2", workflow_type="TestGreeter", task_queue=QUEUE, arg={"name": "hei"},
                created_at=now(), given_up_at=now(), attempts=1, last_error="PERMISSION_DENIED: not this namespace",
            ))
            await session.commit()
        await intake.dispose()

    asyncio.run(a_given_up_start())
    runner = CliRunner()
    listed = runner.invoke(main, ["workflow-commands", "list"])
    assert listed.exit_code == 0, listed.output
    assert "intake: 1" in listed.output and "client-2" in listed.output and "PERMISSION_DENIED" in listed.output
    assert runner.invoke(main, ["workflow-commands", "replay", "notifications"]).exit_code != 0  # sends none
    replayed = runner.invoke(main, ["workflow-commands", "replay", "intake"])
    assert replayed.exit_code == 0 and "1 workflow commands of intake will be sent again" in replayed.output
    assert "intake: 0" in runner.invoke(main, ["workflow-commands", "list"]).output
