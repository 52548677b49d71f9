"""The plan within the client's path, on Temporal's time-skipping server: the path starts the plan,
closing ends both, all plans reaching their time limit close the case, and the plan follows the
client's moves."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from services.assessment import commands as ac
from services.intake.closure.commands import CLOSE, CloseCase, Closure
from services.intake.workflows import ClientPathWorkflow
from services.planning import commands as c
from services.planning.workflows import IntegrationPlanWorkflow
from shared.contracts import (
    PLAN_MOVED_SIGNAL,
    AssessmentOutcome,
    ClientMoved,
    PlanOutcome,
    assessment_workflow_id,
    plan_workflow_id,
    task_queue,
)
from shared.policy import add_months
from shared.workflow_payloads import CommandResult
from workflow_support import env_today, sleep_until, workers
from plan_support import TIMINGS, Recorded, command, made, new_path_input, path_with_plan, described, start_beside, state, update


@pytest.mark.parametrize("beside", [False, True], ids=["assessment as the path's child", "assessment beside the path"])
async def test_the_path_starts_the_plan_and_closing_ends_both(time_skipping_env, beside):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        path, plan, case_id = await path_with_plan(env, recorded, beside=beside)
        history = await path.fetch_history()
        started_children = [event for event in history.events if event.HasField("start_child_workflow_execution_initiated_event_attributes")]
        # Beside: the assessment told its outcome by signal, and the plan is the path's one child.
        assert len(started_children) == (1 if beside else 2)
        given_plan = (await plan.query(IntegrationPlanWorkflow.current)).record
        assert given_plan.plan_start_due_on == await env_today(env) + timedelta(days=14)
        await made(env, plan)

        closure = Closure(closure=CloseCase(reason="employed", notes="Hired as a welder"), today=await env_today(env), actor_sub="cw", actor_name="Kaisa")
        result = await path.execute_update(CLOSE, closure, result_type=CommandResult)
        assert result.status == "employed"
        change = recorded.changes[-1]
        assert (change.stage, change.status, change.reason, change.deadlines, change.changed_by) == (
            "closed", "employed", "case.closed.employed: Hired as a welder", [], "Kaisa"
        )
        assert (await plan.result()).reason == "closed"
        final = await path.result()
        assert (final.stage, final.status) == ("closed", "employed")
        assert [(n.kind, n.recipient_role, n.municipality_code) for n in recorded.notifications] == [("case_closed", "caseworker", None)]
        # Closing again: the path has ended.
        with pytest.raises(Exception):
            await path.execute_update(CLOSE, closure, result_type=CommandResult)


@pytest.mark.parametrize("beside", [False, True], ids=["assessment as the path's child", "assessment beside the path"])
async def test_closing_during_the_assessment_cancels_it_and_ends_the_path(time_skipping_env, beside):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        today = await env_today(env)
        path_input = new_path_input(today, assessment_beside=beside)
        client_id, case_id = path_input.client_id, path_input.case_id
        path = await env.client.start_workflow(ClientPathWorkflow.run, path_input, id=f"client-{client_id}", task_queue=task_queue("intake"))
        if beside:
            closure = Closure(closure=CloseCase(reason="declined"), today=today)
            # Its start not yet at Temporal: the close is refused, nothing changes, staff try again.
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await path.execute_update(CLOSE, closure, result_type=CommandResult)
            assert refused.value.cause.type == "assessment_still_starting"
            assert all(change.stage != "closed" for change in recorded.changes)
            await start_beside(env, path_input)
        child = env.client.get_workflow_handle(assessment_workflow_id(case_id), result_type=AssessmentOutcome)
        await described(child)
        result = await path.execute_update(CLOSE, Closure(closure=CloseCase(reason="declined"), today=today), result_type=CommandResult)
        assert result.status == "declined"
        assert (await child.result()).cancelled
        assert (await path.result()).status == "declined"


async def test_all_plans_reaching_the_time_limit_close_the_case(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    timings = TIMINGS.model_copy(update={"first_plan_max_months": 2, "plans_total_max_months": 2, "review_months": 3})
    async with workers(env, recorded, "planning", "assessment", path=True):
        path, plan, case_id = await path_with_plan(env, recorded, timings)
        await update(plan, c.MAKE, await command(env, make=c.MakePlan(type="individual", measures=[c.MeasureBody(kind="other", status="referred")])))
        limit = add_months(await env_today(env), 2)
        await sleep_until(env, limit + timedelta(days=1))
        final = await path.result()
        assert (final.stage, final.status) == ("closed", "time_limit")
        assert (recorded.changes[-1].status, recorded.changes[-1].reason) == ("time_limit", "case.closed.time_limit")
        assert (await plan.result()).reason == "time_limit"
        # The path starts its plan writing the plan's record by a local activity (record_locally).
        from temporalio.api.enums.v1 import EventType

        from services.planning.records import PlanRecord

        scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name for e in (await plan.fetch_history()).events
                     if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
        assert "record_plan" not in scheduled and any(isinstance(record, PlanRecord) for record in recorded.records)


async def test_a_move_takes_the_plan_to_the_new_municipality(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        # Moved during the assessment: the plan starts where the client lives at its completion.
        _, plan, _ = await path_with_plan(env, recorded, moved_during_assessment_to="905")
        assert (await state(plan)).record.municipality_code == "905"

        # Moved while the plan runs: it goes on in the new municipality with the deadlines it had.
        await made(env, plan)
        before = (await state(plan)).record
        moved = ClientMoved(to_municipality_code="837", from_municipality_code="905", moved_on=await env_today(env))
        await plan.signal(PLAN_MOVED_SIGNAL, moved)
        await plan.signal(PLAN_MOVED_SIGNAL, moved)  # the same move reported again
        for _ in range(100):
            after = (await state(plan)).record
            if after.municipality_code == "837":
                break
            await asyncio.sleep(0.05)
        assert after.municipality_code == "837"
        assert (after.plan_start_due_on, after.review_due_on, after.ends_on) == (before.plan_start_due_on, before.review_due_on, before.ends_on)
        saved = [record for record in recorded.records if getattr(record, "plan_id", None) == after.plan_id]
        assert saved[-1].municipality_code == "837"
        assert [action.action for action in after.actions].count("moved") == 1


async def test_an_assessment_beside_its_path_tells_a_path_whose_start_came_late(time_skipping_env):
    """The path's start may reach Temporal after its assessment's (retried while Temporal is busy):
    an outcome that found no path is told again until the path is there, and the plan follows."""
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "planning", "assessment", path=True):
        today = await env_today(env)
        path_input = new_path_input(today, assessment_beside=True)
        client_id, case_id = path_input.client_id, path_input.case_id
        started = await start_beside(env, path_input)
        actor = ac.Actor(sub="cw", name="Kaisa")
        await started.execute_update(ac.START, ac.Command(actor=actor, today=today), result_type=ac.CommandResult)
        completed = await started.execute_update(  # answered at once, though no path heard it
            ac.COMPLETE, ac.Command(actor=actor, today=today, complete=ac.CompleteAssessment(plan_needed=True, plan_type="individual")),
            result_type=ac.CommandResult,
        )
        assert completed.status == "awaiting_plan"

        path = await env.client.start_workflow(ClientPathWorkflow.run, path_input, id=f"client-{client_id}", task_queue=task_queue("intake"))
        await env.sleep(timedelta(minutes=2))  # the assessment tells it again
        plan = env.client.get_workflow_handle(plan_workflow_id(case_id), result_type=PlanOutcome)
        await described(plan)
        assert (await path.query(ClientPathWorkflow.current_state)).stage == "planning"
