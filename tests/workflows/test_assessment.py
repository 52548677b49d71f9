"""The initial assessment workflow on Temporal's time-skipping server, with the production worker
set-up and stand-ins for the activities it calls (the assessment's own and intake's
`record_case_change`)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta


from services.assessment import commands as c
from services.assessment.workflows import AssessmentWorkflow
from services.intake.workflows import ClientPathInput, ClientPathWorkflow
from shared.clock import FINNISH_TIME
from shared.contracts import (
    AssessmentInput,
    AssessmentMoved,
    AssessmentOutcome,
    AssessmentTimings,
    assessment_workflow_id,
    task_queue,
)
from workflow_support import RecordedActivities, env_today, refused, sleep_until, workers

TIMINGS = AssessmentTimings(reminder_days=[14, 3], escalation_days=14, interview_reminder_days=1, plan_start_days=14)
ACTOR = c.Actor(sub="caseworker-1", name="Kaisa Virtanen")


class Recorded(RecordedActivities):
    def told(self) -> list[tuple[str, str, str]]:
        return [(n.kind, n.recipient_role, n.municipality_code) for n in self.notifications]


async def given(env, *, due_in_days: int = 60) -> AssessmentInput:
    today = await env_today(env)
    return AssessmentInput(
        client_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        municipality_code="109",
        became_client_on=today,
        due_on=today + timedelta(days=due_in_days),
        timings=TIMINGS,
        residence_basis="international_protection",
        gender="female",
        native_language="so",
    )


async def start(env, assessment: AssessmentInput):
    return await env.client.start_workflow(
        AssessmentWorkflow.run, assessment, id=assessment_workflow_id(assessment.case_id), task_queue=task_queue("assessment")
    )


async def command(env, **body) -> c.Command:
    return c.Command(actor=ACTOR, today=await env_today(env), **body)


async def test_reminders_then_missed_deadline_tells_caseworker_then_coordinator(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await sleep_until(env, assessment.due_on - timedelta(days=15))
        assert recorded.notifications == []
        await sleep_until(env, assessment.due_on - timedelta(days=14))
        assert recorded.told() == [("assessment_deadline_reminder", "caseworker", "109")]
        assert recorded.notifications[0].params == {"deadline_kind": "assessment_start", "due_on": assessment.due_on.isoformat(), "days": 14}
        await sleep_until(env, assessment.due_on)
        assert [n.params["days"] for n in recorded.notifications] == [14, 3]

        await sleep_until(env, assessment.due_on + timedelta(days=1))
        state = await handle.query(AssessmentWorkflow.state)
        assert (state.case_status, state.overdue) == ("assessment_overdue", True)
        assert recorded.changes[-1].status == "assessment_overdue"
        assert recorded.changes[-1].next_deadline.due_on == assessment.due_on
        assert recorded.told()[-1] == ("deadline_missed", "caseworker", "109")

        await sleep_until(env, assessment.due_on + timedelta(days=16))
        assert recorded.told()[-1] == ("deadline_missed", "coordinator", "109")
        assert (await handle.query(AssessmentWorkflow.state)).escalated

        # Started late: nothing more is told, the case is in progress.
        result = await handle.execute_update(c.START, await command(env, start=c.StartAssessment()), result_type=c.CommandResult)
        assert result.status == "assessment_in_progress"
        told = len(recorded.notifications)
        await env.sleep(timedelta(days=100))
        assert len(recorded.notifications) == told


async def test_start_meets_the_deadline_nothing_escalates(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await env.sleep(timedelta(days=10))
        given_on = await command(env)
        result = await handle.execute_update(c.START, given_on, result_type=c.CommandResult)
        assert result.status == "assessment_in_progress"
        await env.sleep(timedelta(days=200))
        assert recorded.notifications == []
        [change] = recorded.changes
        assert (change.status, change.next_deadline, change.deadlines, change.changed_by) == (
            "assessment_in_progress", None, [], "Kaisa Virtanen"
        )
        record = recorded.records[-1]
        assert (record.status, record.started_on) == ("in_progress", given_on.today)  # the day the command was given
        assert record.actions[-1].sub == "caseworker-1"


async def test_scheduling_moves_the_reminders_to_the_interview(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        today = await env_today(env)
        first = today + timedelta(days=20)
        result = await handle.execute_update(
            c.SCHEDULE, await command(env, schedule=c.ScheduleAssessment(on=first, place="Raatihuone")), result_type=c.CommandResult
        )
        assert result.status == "assessment_scheduled"
        assert (recorded.changes[-1].reason, recorded.changes[-1].announce) == ("assessment.scheduled", True)
        await sleep_until(env, first - timedelta(days=3))
        second = first + timedelta(days=10)
        await handle.execute_update(
            c.SCHEDULE, await command(env, schedule=c.ScheduleAssessment(on=second, remote=True, interpreter_language="so")),
            result_type=c.CommandResult,
        )
        assert recorded.changes[-1].reason == "assessment.rescheduled"
        await sleep_until(env, second + timedelta(days=1))
        # One reminder, the day before the moved interview; none before the first date, and no
        # deadline reminders while an interview before the deadline is booked.
        assert recorded.told() == [("assessment_interview_reminder", "caseworker", "109")]
        assert recorded.notifications[0].params["on"] == second.isoformat()
        assert recorded.notifications[0].params["remote"] is True
        state = await handle.query(AssessmentWorkflow.state)
        assert state.reminders_sent == [f"interview-{second.isoformat()}"]


async def test_completion_with_a_plan_moves_the_case_to_planning_and_answers_the_path(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "assessment", path=True):
        today = await env_today(env)
        assessment = await given(env)
        path_input = ClientPathInput(
            client_id=assessment.client_id,
            case_id=assessment.case_id,
            municipality_code="109",
            reason="fi.kotopolku.resident.registered.v1",
            assessment_due_on=assessment.due_on,
            assessment_overdue_at=datetime.combine(assessment.due_on + timedelta(days=1), datetime.min.time(), tzinfo=FINNISH_TIME),
            coordinator_escalation_after=timedelta(days=14),
            assessment=assessment,
        )
        path = await env.client.start_workflow(
            ClientPathWorkflow.run, path_input, id=f"client-{assessment.client_id}", task_queue=task_queue("intake")
        )
        handle = env.client.get_workflow_handle(assessment_workflow_id(assessment.case_id))
        while True:  # the path starts its child
            try:
                await handle.describe()
                break
            except Exception:
                await asyncio.sleep(0.1)
        await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        await handle.execute_update(
            c.RECORD,
            await command(env, record=c.InterviewRecord(literacy="literate", goals="Nurse", language_skills=[
                c.LanguageSkill(language="fi", skill="speaking", level="A1.2", source="interview", assessed_on=today)
            ])),
            result_type=c.CommandResult,
        )
        result = await handle.execute_update(
            c.COMPLETE, await command(env, complete=c.CompleteAssessment(plan_needed=True, plan_type="individual")),
            result_type=c.CommandResult,
        )
        # Inside the update: the case already is in planning with the plan_start deadline.
        assert result.status == "awaiting_plan"
        change = recorded.changes[-1]
        assert (change.stage, change.status, change.reason) == ("planning", "awaiting_plan", "assessment.completed.plan_needed")
        assert change.next_deadline.kind == "plan_start"
        assert change.next_deadline.due_on == today + timedelta(days=14)
        assert change.deadlines == [change.next_deadline]
        record = recorded.records[-1]
        assert (record.status, record.plan_needed, record.plan_type) == ("completed", True, "individual")
        assert record.parts["literacy"] == "literate" and record.parts["language_skills"][0]["level"] == "A1.2"

        await env.sleep(timedelta(seconds=5))
        state = await path.query(ClientPathWorkflow.current_state)
        assert (state.stage, state.status) == ("planning", "awaiting_plan")
        assert state.next_deadline.due_on == today + timedelta(days=14)

        # A correction is its own record: who, why, what changed.
        await handle.execute_update(
            c.CORRECT, await command(env, correct=c.CorrectAssessment(goals="Practical nurse", reason="typo")),
            result_type=c.CommandResult,
        )
        [correction] = recorded.corrections
        assert correction.changes == {"goals": {"from": "Nurse", "to": "Practical nurse"}}
        assert (correction.corrected_by_sub, correction.reason) == ("caseworker-1", "typo")
        assert correction.assessment.parts["goals"] == "Practical nurse"
        # The assessment ends when the correction window has passed; the path is in planning.
        await env.sleep(timedelta(days=91))
        outcome = await env.client.get_workflow_handle(handle.id, result_type=AssessmentOutcome).result()
        assert (outcome.plan_needed, outcome.plan_type, outcome.completed_on) == (True, "individual", today)


async def test_completion_without_a_plan_closes_the_case_and_ends_the_path(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    async with workers(env, recorded, "assessment", path=True):
        assessment = await given(env)
        path_input = ClientPathInput(
            client_id=assessment.client_id,
            case_id=assessment.case_id,
            municipality_code="109",
            reason="fi.kotopolku.resident.registered.v1",
            assessment_due_on=assessment.due_on,
            assessment_overdue_at=datetime.combine(assessment.due_on + timedelta(days=1), datetime.min.time(), tzinfo=FINNISH_TIME),
            coordinator_escalation_after=timedelta(days=14),
            assessment=assessment,
        )
        path = await env.client.start_workflow(
            ClientPathWorkflow.run, path_input, id=f"client-{assessment.client_id}", task_queue=task_queue("intake")
        )
        handle = env.client.get_workflow_handle(assessment_workflow_id(assessment.case_id))
        while True:
            try:
                await handle.describe()
                break
            except Exception:
                await asyncio.sleep(0.1)
        await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        result = await handle.execute_update(
            c.COMPLETE, await command(env, complete=c.CompleteAssessment(plan_needed=False, reason="employed full time")),
            result_type=c.CommandResult,
        )
        assert result.status == "plan_not_needed"
        change = recorded.changes[-1]
        assert (change.stage, change.status, change.deadlines) == ("closed", "plan_not_needed", [])
        assert change.reason == "assessment.completed.plan_not_needed: employed full time"
        # The case is closed: its assessment takes no correction, though the correction window is open.
        error = await refused(handle, c.CORRECT, await command(env, correct=c.CorrectAssessment(goals="x", reason="late")))
        assert (error.type, error.details[0]["status"]) == ("assessment_closed", 409)
        state = await path.result()
        assert (state.stage, state.status) == ("closed", "plan_not_needed")


async def test_every_refused_command_answers_why_and_changes_nothing(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        today = await env_today(env)

        async def code(update: str, **body) -> tuple[str, int]:
            error = await refused(handle, update, await command(env, **body))
            return error.type, error.details[0]["status"]

        assert await code(c.COMPLETE, complete=c.CompleteAssessment(plan_needed=True)) == ("assessment_not_started", 409)
        assert await code(c.RECORD, record=c.InterviewRecord(goals="x")) == ("assessment_not_started", 409)
        assert await code(c.CORRECT, correct=c.CorrectAssessment(goals="x", reason="y")) == ("assessment_not_completed", 409)
        assert await code(c.SCHEDULE, schedule=c.ScheduleAssessment(on=today - timedelta(days=1))) == ("assessment_date_in_past", 422)
        assert await code(c.SCHEDULE) == ("command_body_missing", 422)
        assert await code(c.START, start=c.StartAssessment(started_on=today + timedelta(days=1))) == ("assessment_date_in_future", 422)
        assert await code(c.START, start=c.StartAssessment(started_on=today - timedelta(days=1))) == ("assessment_date_before_client", 422)
        error = await refused(handle, c.SCHEDULE, await command(env, schedule=c.ScheduleAssessment(on=today - timedelta(days=1))))
        assert error.details[0]["params"] == {"on": (today - timedelta(days=1)).isoformat()}
        assert recorded.changes == []  # nothing half-happened

        await handle.execute_update(c.START, await command(env), result_type=c.CommandResult)
        changes = len(recorded.changes)  # the start's; the refusals below add none
        assert changes > 0
        assert await code(c.START) == ("assessment_already_started", 409)
        assert await code(c.SCHEDULE, schedule=c.ScheduleAssessment(on=today)) == ("assessment_already_started", 409)
        assert await code(c.COMPLETE, complete=c.CompleteAssessment(plan_needed=False, plan_type="individual")) == (
            "plan_type_without_plan", 422
        )
        assert await code(c.COMPLETE, complete=c.CompleteAssessment(plan_needed=True, plan_type="multi_sectoral")) == (
            "wellbeing_participant_missing", 422
        )
        assert await code(c.COMPLETE, complete=c.CompleteAssessment(plan_needed=True, completed_on=today + timedelta(days=2))) == (
            "assessment_date_in_future", 422
        )
        assert await code(c.COMPLETE) == ("command_body_missing", 422)
        assert len(recorded.changes) == changes

        await handle.execute_update(
            c.COMPLETE,
            await command(env, complete=c.CompleteAssessment(
                plan_needed=True, plan_type="multi_sectoral", wellbeing_county_participant="Kanta-Häme social worker",
                wellbeing_county_participant_sub="kh-sw",  # chosen from the county's staff list (the route checked it)
            )),
            result_type=c.CommandResult,
        )
        completed = recorded.records[-1]
        assert (completed.wellbeing_county_participant, completed.wellbeing_county_participant_sub) == ("Kanta-Häme social worker", "kh-sw")
        assert await code(c.COMPLETE, complete=c.CompleteAssessment(plan_needed=True)) == ("assessment_already_completed", 409)
        assert await code(c.START) == ("assessment_already_completed", 409)
        assert await code(c.RECORD, record=c.InterviewRecord(goals="x")) == ("assessment_already_completed", 409)
        assert await code(c.CORRECT, correct=c.CorrectAssessment(reason="nothing")) == ("correction_empty", 422)

        await handle.signal(c.CASE_CLOSED)
        await handle.result()


async def test_a_move_cancels_and_reopens_in_the_new_municipality_with_the_same_deadline(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        today = await env_today(env)
        await handle.execute_update(
            c.SCHEDULE, await command(env, schedule=c.ScheduleAssessment(on=today + timedelta(days=30))), result_type=c.CommandResult
        )
        await env.sleep(timedelta(days=5))
        moved = AssessmentMoved(to_municipality_code="905", from_municipality_code="109", moved_on=today + timedelta(days=5))
        await handle.signal(c.MOVED, moved)
        await handle.signal(c.MOVED, moved)  # reported again: nothing more happens
        await env.sleep(timedelta(seconds=5))
        state = await handle.query(AssessmentWorkflow.state)
        assert (state.municipality_code, state.status, state.due_on, state.schedule) == ("905", "awaiting", assessment.due_on, None)
        cancelled, reopened = recorded.changes[-2:]
        assert (cancelled.reason, cancelled.status) == ("assessment.cancelled.moved_away", "assessment_scheduled")
        assert (reopened.reason, reopened.status, reopened.next_deadline.due_on) == (
            "assessment.reopened.moved_in", "awaiting_assessment", assessment.due_on
        )
        old = [r for r in recorded.records if r.municipality_code == "109"][-1]
        new = recorded.records[-1]
        assert (old.status, old.cancel_reason) == ("cancelled", "moved")
        assert (new.municipality_code, new.status, new.due_on) == ("905", "awaiting", assessment.due_on)
        assert new.assessment_id != old.assessment_id

        # The deadline is the one it had: missed, the new municipality's staff are told.
        await sleep_until(env, assessment.due_on + timedelta(days=1))
        assert ("deadline_missed", "caseworker", "905") in recorded.told()
        assert all(municipality == "905" for _, _, municipality in recorded.told())


async def test_case_closed_ends_the_assessment(time_skipping_env):
    env, recorded = time_skipping_env, Recorded()
    assessment = await given(env)
    async with workers(env, recorded, "assessment"):
        handle = await start(env, assessment)
        await env.sleep(timedelta(days=3))
        await handle.signal(c.CASE_CLOSED, "declined")
        outcome = await handle.result()
        assert (outcome.cancelled, outcome.cancel_reason) == (True, "declined")
        assert (recorded.records[-1].status, recorded.records[-1].cancel_reason) == ("cancelled", "declined")
        assert recorded.notifications == []
