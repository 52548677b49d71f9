"""A changed policy reaches the assessments already waiting on their timers (docs/policy.md):
`policy apply` records the version and writes a `policy_changed` signal per open assessment, the
workflow-command relay sends it, and the workflow works its start deadline and timers out again,
on Temporal's time-skipping server. A deadline that had passed is not un-escalated silently."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from temporalio.worker import Replayer

from services.assessment import policy as assessment_policy
from services.assessment import service as assessment_service
from services.assessment.app import MIGRATIONS
from services.assessment.commands import POLICY_CHANGED, PolicyChanged
from services.assessment.workflows import AssessmentWorkflow
from shared.db import Database
from shared.policy import add_months, load_policy, read_policy
from shared.settings import load_settings
from shared.temporal import data_converter
from shared.workflow_commands import WorkflowCommandRelay
from support import eventually
from workflow_support import env_today, sleep_until, workers
from test_assessment import TIMINGS, Recorded, given, start

OLD = load_policy().version
HISTORIES = Path(__file__).parent / "histories"


def new_policy(tmp_path, months: int):
    file = tmp_path / f"policy-{months}.toml"
    file.write_text(f'label = "681/2023 amended"\neffective_from = 2027-01-01\nassessment_start_months = {months}\n')
    return read_policy(file)


async def opened(env, **fields):
    assessment = (await given(env, **fields)).model_copy(update={"policy_version": OLD})
    return assessment.model_copy(update={"due_on": add_months(assessment.became_client_on, 2)}) if not fields else assessment


async def saved(recorded: Recorded, action: str) -> None:
    """Wait until the workflow has saved its record after `action` (its change is then recorded)."""

    async def done() -> bool:
        return any(entry.action == action for record in recorded.records for entry in record.actions)

    await eventually(done, what=f"the assessment saved after {action}")


async def apply_through_the_relay(env, tmp_path, recorded: Recorded, book) -> assessment_policy.Applied:
    """The assessment service's table as the workflow wrote it, `policy apply` on it, and the
    relay sending what it wrote to the test server."""
    database = Database("assessment", f"sqlite+aiosqlite:///{tmp_path / 'assessment.db'}")
    try:
        await database.migrate(MIGRATIONS)
        async with database.session() as session:
            await assessment_service.save_assessment(session, recorded.records[-1])
            await session.commit()
        async with database.session() as session:
            assert [move.moves_to for move in await assessment_policy.diff(session, book)]  # the preview shows the move
            applied = await assessment_policy.apply(session, book, applied_by="test")
            await session.commit()
        assert await WorkflowCommandRelay(database, env.client).send_pending() == 1
        return applied
    finally:
        await database.dispose()


async def test_a_running_assessment_follows_an_applied_policy(time_skipping_env, tmp_path):
    env, recorded = time_skipping_env, Recorded()
    assessment = await opened(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await sleep_until(env, await env_today(env) + timedelta(days=10))
        book = new_policy(tmp_path, 3)
        applied = await apply_through_the_relay(env, tmp_path, recorded, book)
        new_due = add_months(assessment.became_client_on, 3)
        assert [(m.due_on, m.moves_to, m.from_version) for m in applied.moves] == [(assessment.due_on, new_due, OLD)]

        await saved(recorded, "policy_changed")
        state = await handle.query(AssessmentWorkflow.state)
        assert (state.due_on, state.policy_version) == (new_due, book.version)
        moved = recorded.changes[-1]
        assert moved.reason.startswith("policy.deadline_moved: ") and moved.announce
        assert (moved.next_deadline.due_on, moved.status) == (new_due, "awaiting_assessment")
        assert moved.details == {"from": assessment.due_on.isoformat(), "to": new_due.isoformat(), "policy_version": book.version,
                                 "policy_label": "681/2023 amended"}
        assert recorded.records[-1].policy_version == book.version

        # The old date passes quietly; the reminders and the passing follow the new one.
        await sleep_until(env, assessment.due_on + timedelta(days=2))
        assert recorded.told() == []
        await sleep_until(env, new_due - timedelta(days=14))
        assert recorded.notifications[-1].params == {"deadline_kind": "assessment_start", "due_on": new_due.isoformat(), "days": 14}
        await sleep_until(env, new_due + timedelta(days=1))
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "109")
        assert (await handle.query(AssessmentWorkflow.state)).overdue

        # Sent again (a relay's repeat), the same version changes nothing.
        changes, saves = len(recorded.changes), len(recorded.records)
        await handle.signal(POLICY_CHANGED, PolicyChanged(version=book.version, assessment_start_months=3, timings=TIMINGS))
        await env.sleep(timedelta(days=1))  # the signal is in the history before the day passes
        assert (await handle.query(AssessmentWorkflow.state)).due_on == new_due
        assert (len(recorded.changes), len(recorded.records)) == (changes, saves)

        history = await handle.fetch_history()
    # What ran replays on the workflow code as it is (the patch's marker in its history).
    await Replayer(workflows=[AssessmentWorkflow], data_converter=data_converter(load_settings().data_key_bytes)).replay_workflow(history)
    if os.environ.get("KOTOPOLKU_RECORD_HISTORIES"):
        (HISTORIES / "assessment_policy_changed_deadline_moved_then_missed.json").write_text(history.to_json())


async def test_a_shorter_deadline_already_past_passes_at_once(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await opened(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await sleep_until(env, add_months(assessment.became_client_on, 1) + timedelta(days=5))
        await handle.signal(POLICY_CHANGED, PolicyChanged(version="shorter", assessment_start_months=1, timings=TIMINGS))
        await saved(recorded, "deadline_missed")
        state = await handle.query(AssessmentWorkflow.state)
        assert (state.due_on, state.overdue, state.case_status) == (add_months(assessment.became_client_on, 1), True, "assessment_overdue")
        assert [change.reason.split(":")[0] for change in recorded.changes] == ["policy.deadline_moved", "deadline.assessment_start.missed"]


async def test_a_passed_and_escalated_deadline_is_not_un_escalated_silently(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await opened(env, due_in_days=10)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await sleep_until(env, assessment.due_on + timedelta(days=20))
        assert recorded.told()[-2:] == [("deadline_missed", "caseworker", "109"), ("deadline_missed", "coordinator", "109")]
        told = len(recorded.notifications)

        await handle.signal(POLICY_CHANGED, PolicyChanged(version="longer", label="681/2023 amended", assessment_start_months=3, timings=TIMINGS))
        await saved(recorded, "policy_changed")
        new_due = add_months(assessment.became_client_on, 3)
        state = await handle.query(AssessmentWorkflow.state)
        # The new date is kept, the passing and the escalation stand; the timeline says so.
        assert (state.due_on, state.overdue, state.escalated, state.case_status) == (new_due, True, True, "assessment_overdue")
        moved = recorded.changes[-1]
        assert moved.reason == f"policy.passed_deadline_moved: {assessment.due_on.isoformat()} → {new_due.isoformat()} (681/2023 amended)"
        assert (moved.status, moved.announce, moved.details["from"]) == ("assessment_overdue", True, assessment.due_on.isoformat())
        await sleep_until(env, new_due + timedelta(days=30))
        assert len(recorded.notifications) == told  # nothing told twice
