"""The client's path workflow on Temporal's time-skipping test server: months pass in moments."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from temporalio.client import WorkflowHandle

from services.intake.workflows import DEADLINE_MISSED, ClientPathInput, ClientPathWorkflow
from shared.contracts import task_queue
from shared.policy import add_months
from workflow_support import RecordedActivities, workers


def path_input(start: datetime) -> ClientPathInput:
    registered_on = start.date()
    due_on = add_months(registered_on, 2)
    return ClientPathInput(
        client_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        municipality_code="109",
        reason="fi.kotopolku.resident.registered.v1",
        assessment_due_on=due_on,
        assessment_overdue_at=datetime.combine(due_on + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc),
        coordinator_escalation_after=timedelta(days=14),
    )


async def start(env) -> tuple[WorkflowHandle, ClientPathInput]:
    path = path_input(datetime.now(timezone.utc))
    handle = await env.client.start_workflow(ClientPathWorkflow.run, path, id=f"client-{path.client_id}", task_queue=task_queue("intake"))
    return handle, path


async def test_missed_assessment_deadline_escalates_to_caseworker_then_coordinator(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    async with workers(env, activities, path=True):
        handle, path = await start(env)
        await env.sleep(timedelta(days=30))
        state = await handle.query(ClientPathWorkflow.current_state)
        assert (state.stage, state.status) == ("assessment", "awaiting_assessment")
        assert activities.notifications == []

        await env.sleep(timedelta(days=35))  # past the two-month deadline
        state = await handle.query(ClientPathWorkflow.current_state)
        assert state.status == "assessment_overdue"
        assert [change.status for change in activities.changes] == ["awaiting_assessment", "assessment_overdue"]
        assert activities.changes[1].reason == DEADLINE_MISSED
        assert activities.changes[1].next_deadline.due_on == path.assessment_due_on
        [told] = activities.notifications
        assert (told.kind, told.recipient_role) == ("deadline_missed", "caseworker")
        assert told.params == {"deadline_kind": "assessment_start", "due_on": path.assessment_due_on.isoformat()}

        await env.sleep(timedelta(days=15))  # still nothing: the coordinator is told
        assert [request.recipient_role for request in activities.notifications] == ["caseworker", "coordinator"]

        await handle.signal(ClientPathWorkflow.on_assessment_started)
        await env.sleep(timedelta(seconds=1))
        state = await handle.query(ClientPathWorkflow.current_state)
        assert state.status == "assessment_in_progress"


async def test_assessment_started_in_time_means_no_escalation(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    async with workers(env, activities, path=True):
        handle, _ = await start(env)
        await env.sleep(timedelta(days=20))
        await handle.signal(ClientPathWorkflow.on_assessment_started)
        await env.sleep(timedelta(days=200))
        state = await handle.query(ClientPathWorkflow.current_state)
        assert state.status == "assessment_in_progress"
        assert activities.notifications == []
        assert [change.status for change in activities.changes] == ["awaiting_assessment", "assessment_in_progress"]


async def test_a_path_whose_opening_intake_recorded_does_not_report_it_again(time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    async with workers(env, activities, path=True):
        path = path_input(datetime.now(timezone.utc)).model_copy(update={"opened": True})
        handle = await env.client.start_workflow(ClientPathWorkflow.run, path, id=f"client-{path.client_id}", task_queue=task_queue("intake"))
        await env.sleep(timedelta(days=20))
        state = await handle.query(ClientPathWorkflow.current_state)
        assert (state.stage, state.status) == ("assessment", "awaiting_assessment")
        assert state.next_deadline.due_on == path.assessment_due_on
        assert activities.changes == []  # intake moved the case when it started the path

        await handle.signal(ClientPathWorkflow.on_assessment_started)
        await env.sleep(timedelta(seconds=1))
        assert [change.status for change in activities.changes] == ["assessment_in_progress"]
