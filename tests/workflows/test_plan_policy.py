"""A changed policy reaches the plans already waiting on their timers (docs/policy.md): `policy
apply` writes a `policy_changed` signal per open plan in the planning service's table, the
workflow-command relay sends it, and the plan works its start, referral and review deadlines and
their timers out again, on Temporal's time-skipping server. A deadline that had passed is not
un-escalated silently."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from temporalio.worker import Replayer

from services.planning import commands as c
from services.planning import policy as planning_policy
from services.planning import service as planning_service
from services.planning.app import MIGRATIONS
from services.planning.workflows import IntegrationPlanWorkflow
from shared.db import Database
from shared.contracts import plan_workflow_id
from shared.policy import add_months, load_policy, plan_timings, read_policy
from shared.settings import load_settings
from shared.temporal import data_converter
from shared.workflow_commands import WorkflowCommandRelay
from support import eventually
from workflow_support import env_today, sleep_until, workers
from plan_support import TIMINGS, Recorded, command, given, made, start, state, update

OLD = load_policy().version
HISTORIES = Path(__file__).parent / "histories"


def new_policy(tmp_path, **numbers):
    file = tmp_path / "policy-new.toml"
    settings = "\n".join(f"{key} = {value}" for key, value in numbers.items())
    file.write_text(f'label = "681/2023 amended"\neffective_from = 2027-01-01\n{settings}\n')
    return read_policy(file)


def change(book) -> c.PolicyChanged:
    return c.PolicyChanged(version=book.version, label=book.label, timings=plan_timings(book.default))


async def saved(recorded: Recorded, action: str, times: int = 1) -> None:
    async def done() -> bool:
        return sum(1 for record in recorded.records if record.actions and record.actions[-1].action == action) >= times

    await eventually(done, what=f"the plan saved after {action}")


async def apply_through_the_relay(env, tmp_path, recorded: Recorded, book) -> planning_policy.Applied:
    """The planning service's table as the workflow wrote it, `policy apply` on it, and the relay
    sending what it wrote to the test server."""
    database = Database("planning", f"sqlite+aiosqlite:///{tmp_path / 'planning.db'}")
    try:
        await database.migrate(MIGRATIONS)
        async with database.session() as session:
            await planning_service.save_plan(session, recorded.records[-1])
            await session.commit()
        async with database.session() as session:
            preview = await planning_policy.diff(session, book)
            applied = await planning_policy.apply(session, book)
            await session.commit()
            assert preview == applied.moves  # the preview shows what applying moves
        assert await WorkflowCommandRelay(database, env.client).send_pending() == 1
        return applied
    finally:
        await database.dispose()


async def test_a_waiting_plan_follows_an_applied_policy(time_skipping_env, tmp_path):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env, timings=TIMINGS.model_copy(update={"policy_version": OLD}))
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await saved(recorded, "opened")
        assert recorded.records[-1].policy_version == OLD
        await sleep_until(env, await env_today(env) + timedelta(days=2))
        book = new_policy(tmp_path, plan_start_days=30)
        applied = await apply_through_the_relay(env, tmp_path, recorded, book)
        new_due = plan.assessment_completed_on + timedelta(days=30)
        assert [(m.kind, m.due_on, m.moves_to, m.from_version) for m in applied.moves] == [
            ("plan_start", plan.plan_start_due_on, new_due, OLD)
        ]

        await saved(recorded, "policy_changed")
        before = len(recorded.notifications)  # the old date's 14-day reminder, perhaps, told before the move
        record = (await state(handle)).record
        assert (record.plan_start_due_on, record.policy_version) == (new_due, book.version)
        moved = recorded.changes[-1]
        assert moved.reason == (f"policy.deadline_moved: plan_start {plan.plan_start_due_on.isoformat()} → {new_due.isoformat()} "
                                "(681/2023 amended)")
        assert (moved.next_deadline.due_on, moved.status, moved.announce) == (new_due, "awaiting_plan", True)
        assert moved.details == {"deadline_kind": "plan_start", "from": plan.plan_start_due_on.isoformat(), "to": new_due.isoformat(),
                                 "policy_version": book.version, "policy_label": "681/2023 amended"}

        # The old date passes quietly; the reminders and the passing follow the new one.
        await sleep_until(env, plan.plan_start_due_on + timedelta(days=1))
        assert {n.params["due_on"] for n in recorded.notifications[before:]} <= {new_due.isoformat()}
        assert ("deadline_missed", "caseworker", "plan_start") not in recorded.told()
        await sleep_until(env, new_due - timedelta(days=14))
        assert recorded.notifications[-1].params == {"deadline_kind": "plan_start", "due_on": new_due.isoformat(), "days": 14}
        await sleep_until(env, new_due + timedelta(days=1))
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "plan_start")
        assert (await state(handle)).case_status == "plan_overdue"

        # Sent again (a relay's repeat), the same version changes nothing.
        changes, saves = len(recorded.changes), len(recorded.records)
        await handle.signal(c.POLICY_CHANGED, change(book))
        await env.sleep(timedelta(days=1))  # the signal is in the history before the day passes
        assert (await state(handle)).record.plan_start_due_on == new_due
        assert (len(recorded.changes), len(recorded.records)) == (changes, saves)

        history = await handle.fetch_history()
    # What ran replays on the workflow code as it is (the patch's marker in its history).
    await Replayer(workflows=[IntegrationPlanWorkflow], data_converter=data_converter(load_settings().data_key_bytes)).replay_workflow(history)
    if os.environ.get("KOTOPOLKU_RECORD_HISTORIES"):
        (HISTORIES / "plan_policy_changed_start_moved_then_missed.json").write_text(history.to_json())


async def test_a_passed_and_escalated_plan_start_is_not_un_escalated_silently(time_skipping_env, tmp_path):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await sleep_until(env, plan.plan_start_due_on + timedelta(days=TIMINGS.escalation_days + 2))
        assert recorded.told()[-2:] == [("deadline_missed", "caseworker", "plan_start"), ("deadline_missed", "coordinator", "plan_start")]
        told = len(recorded.notifications)

        book = new_policy(tmp_path, plan_start_days=60)
        await handle.signal(c.POLICY_CHANGED, change(book))
        await saved(recorded, "policy_changed")
        new_due = plan.assessment_completed_on + timedelta(days=60)
        current = await state(handle)
        # The new date is kept, the passing and the escalation stand; the timeline says so.
        assert (current.record.plan_start_due_on, current.case_status) == (new_due, "plan_overdue")
        moved = recorded.changes[-1]
        assert moved.reason == (f"policy.passed_deadline_moved: plan_start {plan.plan_start_due_on.isoformat()} → {new_due.isoformat()} "
                                "(681/2023 amended)")
        assert (moved.status, moved.announce) == ("plan_overdue", True)
        await sleep_until(env, new_due + timedelta(days=TIMINGS.escalation_days + 5))
        assert len(recorded.notifications) == told  # nothing told twice

        # Made late, it runs by the new numbers.
        await made(env, handle)
        assert (await state(handle)).case_status == "plan_active"


async def test_an_active_plan_moves_its_referral_and_brings_its_review_earlier(time_skipping_env, tmp_path):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        await made(env, handle)
        plan_on = await env_today(env)
        await sleep_until(env, plan_on + timedelta(days=3))
        referral_months, review_months = TIMINGS.referral_months + 2, TIMINGS.review_months - 2
        book = new_policy(tmp_path, plan_services_referral_months=referral_months, plan_review_months=review_months)
        await handle.signal(c.POLICY_CHANGED, change(book))
        await saved(recorded, "policy_changed")
        record = (await state(handle)).record
        assert (record.referral_due_on, record.review_due_on) == (add_months(plan_on, referral_months), add_months(plan_on, review_months))
        assert record.ends_on == add_months(plan_on, TIMINGS.first_plan_max_months)  # the plan's own decision stays
        assert sorted(change.reason.split(" ")[1] for change in recorded.changes if change.reason.startswith("policy.")) == [
            "plan_referral", "plan_review"
        ]

        # A longer review interval leaves the date set; the review passes on it.
        await handle.signal(c.POLICY_CHANGED, change(new_policy(tmp_path, plan_review_months=TIMINGS.review_months + 6)))
        await saved(recorded, "policy_changed", times=2)
        assert (await state(handle)).record.review_due_on == add_months(plan_on, review_months)
        await sleep_until(env, add_months(plan_on, review_months) + timedelta(days=1))
        assert (await state(handle)).case_status == "review_overdue"


async def test_the_new_numbers_carry_over_when_the_plan_continues_as_new(time_skipping_env, tmp_path):
    env, recorded = time_skipping_env, Recorded()
    plan = await given(env, history_limit=40)
    async with workers(env, recorded, "planning"):
        handle = await start(env, plan)
        first_run = (await handle.describe()).run_id
        await made(env, handle)
        book = new_policy(tmp_path, plan_review_months=2)
        await handle.signal(c.POLICY_CHANGED, change(book))
        await saved(recorded, "policy_changed")
        for month in range(1, 6):
            await sleep_until(env, await env_today(env) + timedelta(days=7))
            await update(handle, c.ADD_MEASURE, await command(env, measure=c.MeasureBody(kind="other", description=f"measure {month}", status="referred")))
        current = env.client.get_workflow_handle(plan_workflow_id(plan.case_id))
        assert (await current.describe()).run_id != first_run
        carried = await current.query(IntegrationPlanWorkflow.current)
        assert (carried.runs > 1, carried.record.policy_version) == (True, book.version)
        # A review sets the next one by the new interval, and a repeat of the version changes nothing.
        await current.signal(c.POLICY_CHANGED, change(book))
        await update(current, c.REVIEW, await command(env, review=c.ReviewPlan(notes="by the new numbers")))
        reviewed = await current.query(IntegrationPlanWorkflow.current)
        assert reviewed.record.review_due_on == add_months(await env_today(env), 2)
