"""A staff command waits for its workflow for a bounded time (shared.staff_commands): an update
that is not carried out in time answers 503 `command_not_answered`, saying it may still be, instead
of holding the request open without end; repeating it with the same Idempotency-Key waits for the
same update, so it is carried out once. Against a real Temporal server and both databases."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import workflow

# The sandbox re-imports this module for the test workflow: what it needs not is passed through.
with workflow.unsafe.imports_passed_through():
    import pytest
    from pydantic import BaseModel
    from temporalio.client import WorkflowExecutionStatus

    from shared import staff_commands
    from shared.auth import StaffUser
    from shared.i18n import all_languages
    from shared.refusals import Refused
    from shared.temporal import build_worker

USER = StaffUser(sub="cw-1", name="Caseworker", roles=["caseworker"], municipalities=["109"])


class Held(BaseModel):
    note: str


class Done(BaseModel):
    given: int


@workflow.defn(name="TestHeldCommand")
class HeldCommand:
    """A command its workflow carries out only once told to (as one stuck behind an activity)."""

    def __init__(self) -> None:
        self.given = 0
        self.released = False

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: self.released and workflow.all_handlers_finished())

    @workflow.update(name="hold")
    async def hold(self, command: Held) -> Done:
        self.given += 1
        await workflow.wait_condition(lambda: self.released)
        return Done(given=self.given)

    @workflow.signal(name="release")
    def release(self) -> None:
        self.released = True


@pytest.fixture
async def held(temporal_env, temporal_address):
    """A running HeldCommand workflow's handle, with its worker."""
    client = temporal_env.client
    queue = f"held-command-{uuid.uuid4()}"
    async with build_worker(client, queue, [HeldCommand], []):
        handle = await client.start_workflow(HeldCommand.run, id=f"held-{uuid.uuid4()}", task_queue=queue)
        yield client, handle
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate("the test ended")


def command(client, handle, database, key: str | None):
    return staff_commands.execute_update(
        client, handle.id, "hold", Held(note="x"), user=USER, key=key,
        result_type=Done, not_open="assessment_not_open", fallback="assessment_refused", db=database,
    )


async def test_a_command_not_carried_out_in_time_answers_503_and_its_repeat_waits_for_the_same(held, database, monkeypatch):
    client, handle = held
    monkeypatch.setattr(staff_commands, "ANSWER_WAIT_SECONDS", 1.0)

    with pytest.raises(Refused) as refused:
        await asyncio.wait_for(command(client, handle, database, key="k-1"), timeout=15)  # not without end
    assert (refused.value.code, refused.value.status) == ("command_not_answered", 503)
    assert refused.value.headers == {"Retry-After": "5"}

    # Carried out once it is let go: the repeat with the same key answers with that one.
    repeat = asyncio.create_task(command(client, handle, database, key="k-1"))
    await asyncio.sleep(0.3)
    await handle.signal(HeldCommand.release)
    assert (await repeat).given == 1


def test_the_refusal_says_so_in_three_languages():
    texts = all_languages("command_not_answered")
    assert set(texts) == {"fi", "sv", "en"}
    assert "Idempotency-Key" in texts["fi"] and "Idempotency-Key" in texts["sv"] and "Idempotency-Key" in texts["en"]
