"""The client's path workflow (`client-<client_id>`): one per client, from intake to closing.
(A recruitment notice's workflow is in notices/workflows.py.)

Deterministic and import-light: the Temporal sandbox re-imports this module for every run. All
I/O goes through the activities named here; time is `workflow.now()`; deadlines are durable
timers that survive any restart.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from shared.contracts import (
        ASSESSMENT_WORKFLOW,
        AssessmentInput,
        AssessmentOutcome,
        CaseChange,
        CaseStatus,
        Deadline,
        DeadlineKind,
        NotificationRequested,
        Stage,
        assessment_workflow_id,
        task_queue,
    )

# Workflows ask for notifications with the shared contract (the notifications service reads it).
NotificationRequest = NotificationRequested


def path_workflow_id(client_id: UUID | str) -> str:
    return f"client-{client_id}"


class ClientPathInput(BaseModel):
    client_id: UUID
    case_id: UUID
    municipality_code: str
    reason: str  # the event type that opened the path
    assessment_due_on: date
    assessment_overdue_at: datetime  # the moment the deadline has passed (start of the next day, Finnish time)
    coordinator_escalation_after: timedelta
    # The assessment child workflow's input; None in paths recorded before the assessment had its
    # own workflow (they keep their own assessment timer).
    assessment: AssessmentInput | None = None


class NoticeMatch(BaseModel):
    """What the employer's recruitment notice tells about a client's job and family."""

    notice_id: UUID
    employer_name: str
    job_title: str
    start_date: date
    workplace_municipality_code: str
    expected_arrival_on: date
    family_adults: int
    children_birth_years: list[int] = []


class PathState(BaseModel):
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None = None
    escalations: list[str] = []
    employment: NoticeMatch | None = None  # from a matched recruitment notice


# The path starts just before the registering transaction commits (so a crash can't lose it), so
# its first activity may look for the case a moment too early: retry soon, then back off.
ACTIVITY_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100), maximum_interval=timedelta(seconds=60)),
)

DEADLINE_MISSED = "deadline.assessment_start.missed"
ASSESSMENT_AS_CHILD = "assessment-as-child-workflow"
DEADLINE_ESCALATED = "deadline.assessment_start.escalated"


async def wait_until(condition, moment: datetime) -> bool:
    """A durable timer that a signal can cut short: True when the condition came true before
    the moment, False when the moment came."""
    remaining = (moment - workflow.now()).total_seconds()
    if remaining <= 0:
        return condition()
    try:
        await workflow.wait_condition(condition, timeout=timedelta(seconds=remaining))
        return True
    except asyncio.TimeoutError:
        return False


CLIENT_PATH_WORKFLOW = "ClientPath"


@workflow.defn(name=CLIENT_PATH_WORKFLOW)
class ClientPathWorkflow:
    def __init__(self) -> None:
        self.state = PathState(stage=Stage.intake, status=CaseStatus.received)
        self.assessment_started = False
        self.assessment_outcome: AssessmentOutcome | None = None

    @workflow.run
    async def run(self, path: ClientPathInput) -> PathState:
        deadline = Deadline(kind=DeadlineKind.assessment_start, due_on=path.assessment_due_on)
        await self._change(path, Stage.assessment, CaseStatus.awaiting_assessment, deadline, path.reason)

        if path.assessment is not None and workflow.patched(ASSESSMENT_AS_CHILD):
            # The assessment service keeps the deadline and the staff commands (child workflow).
            outcome = await self._assess(path.assessment)
            if outcome.cancelled:
                self.state.stage, self.state.status, self.state.next_deadline = Stage.closed, CaseStatus.completed, None
                return self.state
            if not outcome.plan_needed:
                self.state.stage, self.state.status, self.state.next_deadline = Stage.closed, CaseStatus.plan_not_needed, None
                return self.state
            assert outcome.completed_on is not None and path.assessment is not None
            self.state.stage, self.state.status = Stage.planning, CaseStatus.awaiting_plan
            self.state.next_deadline = Deadline(
                kind=DeadlineKind.plan_start, due_on=outcome.completed_on + timedelta(days=path.assessment.timings.plan_start_days)
            )
            # The plan follows as a child workflow on the planning service's task queue.
            await workflow.wait_condition(lambda: self.state.stage == Stage.closed)
            return self.state

        # The statutory clock: escalate to the caseworker when it runs out, to the coordinator later.
        if not await wait_until(lambda: self.assessment_started, path.assessment_overdue_at):
            await self._change(path, Stage.assessment, CaseStatus.assessment_overdue, deadline, DEADLINE_MISSED)
            await self._notify(path, "deadline_missed", "caseworker", deadline)
            escalate_at = path.assessment_overdue_at + path.coordinator_escalation_after
            if not await wait_until(lambda: self.assessment_started, escalate_at):
                self.state.escalations.append(DEADLINE_ESCALATED)
                await self._notify(path, "deadline_missed", "coordinator", deadline)
                await workflow.wait_condition(lambda: self.assessment_started)

        await self._change(path, Stage.assessment, CaseStatus.assessment_in_progress, None, "assessment.started")
        # The assessment and the plan follow as child workflows on their services' task queues.
        await workflow.wait_condition(lambda: self.state.stage == Stage.closed)
        return self.state

    async def _assess(self, given: AssessmentInput) -> AssessmentOutcome:
        """Start the assessment and wait for its outcome: told at once on completion (the
        assessment stays open a while for corrections), or its end when cancelled."""
        child = await workflow.start_child_workflow(
            ASSESSMENT_WORKFLOW,
            given,
            id=assessment_workflow_id(given.case_id),
            task_queue=task_queue("assessment"),
            parent_close_policy=ParentClosePolicy.ABANDON,  # corrections outlive a path that ends
            result_type=AssessmentOutcome,
        )

        async def ended() -> None:
            outcome = await child
            if self.assessment_outcome is None:
                self.assessment_outcome = outcome

        # Not cancelled when the signal comes first: cancelling it would cancel the assessment.
        self._assessment_watcher = asyncio.create_task(ended())
        await workflow.wait_condition(lambda: self.assessment_outcome is not None)
        assert self.assessment_outcome is not None
        return self.assessment_outcome

    @workflow.signal(name="assessment_started")
    def on_assessment_started(self) -> None:
        self.assessment_started = True

    @workflow.signal(name="assessment_completed")
    def on_assessment_completed(self, outcome: AssessmentOutcome) -> None:
        if self.assessment_outcome is None:
            self.assessment_outcome = outcome

    @workflow.signal(name="notice_matched")
    def on_notice_matched(self, match: NoticeMatch) -> None:
        # Only remembers what the employer told; the path's commands stay as they were (replay-safe).
        self.state.employment = match

    @workflow.query(name="state")
    def current_state(self) -> PathState:
        return self.state

    async def _change(self, path, stage, status, deadline, reason) -> None:
        await workflow.execute_activity(
            "record_case_change",
            CaseChange(case_id=path.case_id, stage=stage, status=status, next_deadline=deadline, reason=reason),
            **ACTIVITY_OPTIONS,
        )
        self.state.stage, self.state.status, self.state.next_deadline = stage, status, deadline

    async def _notify(self, path, kind, role, deadline) -> None:
        await workflow.execute_activity(
            "request_notification",
            NotificationRequest(
                notification_id=workflow.uuid4(),
                kind=kind,
                case_id=path.case_id,
                client_id=path.client_id,
                recipient_role=role,
                params={"deadline_kind": deadline.kind.value, "due_on": deadline.due_on.isoformat()},
            ),
            **ACTIVITY_OPTIONS,
        )
