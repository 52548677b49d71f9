"""Where workflows run. Kotopolku's workers run them outside Temporal's sandbox unless
`KOTOPOLKU_WORKER_SANDBOX` is set (shared/settings.py says why); the workflow tests run them in it,
so that a workflow reading the clock or chance itself, which its replay could not repeat, fails
there before it runs anywhere else."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner

with workflow.unsafe.imports_passed_through():
    import pytest

    from shared.settings import load_settings
    from shared.temporal import WorkflowContextSandbox, build_worker
    from support import make_settings, running


def a_queue() -> str:
    return f"workflow-runner-{uuid.uuid4()}"  # one worker per queue and client


@workflow.defn(name="ReadsTheClockItself")
class ReadsTheClockItself:
    @workflow.run
    async def run(self) -> str:
        return datetime.now().isoformat()  # what a workflow must not do: its clock is workflow.now()


def test_kotopolku_workers_run_workflows_outside_the_sandbox_unless_set(monkeypatch):
    monkeypatch.delenv("KOTOPOLKU_WORKER_SANDBOX", raising=False)
    assert load_settings().worker_sandbox is False
    monkeypatch.setenv("KOTOPOLKU_WORKER_SANDBOX", "true")
    assert load_settings().worker_sandbox is True


async def test_a_worker_built_unsandboxed_has_no_sandbox_and_one_built_for_the_tests_has(temporal_env):
    unsandboxed = build_worker(temporal_env.client, a_queue(), [ReadsTheClockItself], [], sandboxed=False)
    sandboxed = build_worker(temporal_env.client, a_queue(), [ReadsTheClockItself], [])
    assert isinstance(unsandboxed.config()["workflow_runner"], UnsandboxedWorkflowRunner)
    assert isinstance(sandboxed.config()["workflow_runner"], SandboxedWorkflowRunner)


async def test_the_tests_sandbox_refuses_a_workflow_that_reads_the_clock_itself(temporal_env):
    client, queue = temporal_env.client, a_queue()
    async with build_worker(client, queue, [ReadsTheClockItself], []):
        handle = await client.start_workflow(ReadsTheClockItself.run, id=f"clock-{uuid.uuid4()}", task_queue=queue)
        try:
            failure = await asyncio.wait_for(_first_task_failure(handle), timeout=30)
        finally:
            await handle.terminate("the test ended")
    assert "datetime.datetime.now" in str(await client.data_converter.decode_failure(failure))


async def test_outside_the_sandbox_the_same_workflow_runs(temporal_env):
    # The sandbox is the tests' check: the workers' own runner would let it through.
    client, queue = temporal_env.client, a_queue()
    async with build_worker(client, queue, [ReadsTheClockItself], [], sandboxed=False):
        ran = await client.execute_workflow(ReadsTheClockItself.run, id=f"clock-{uuid.uuid4()}", task_queue=queue)
    assert datetime.fromisoformat(ran)


async def _first_task_failure(handle):
    while True:
        async for event in handle.fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
                return event.workflow_task_failed_event_attributes.failure
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("sandbox", [False, True])
async def test_kotopolku_builds_its_workers_as_the_setting_says(tmp_path, amqp_url, temporal_address, sandbox):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None, worker_sandbox=sandbox)
    async with running(settings) as (runtime, _http):
        runners = {type(worker.config()["workflow_runner"]) for worker in runtime.workers}
    assert runners == ({WorkflowContextSandbox} if sandbox else {UnsandboxedWorkflowRunner})
