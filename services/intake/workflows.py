"""The client's path workflow (`client-<client_id>`): one per client, from intake to closing.
(A recruitment notice's workflow is in notices/workflows.py.)

Deterministic and import-light: the Temporal sandbox re-imports this module for every run. All
I/O goes through the activities named here; time is `workflow.now()`; deadlines are durable
timers that survive any restart.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from shared.case_workflows import tell_workflow
    from shared.durable import refuse, wait_until
    from services.intake.closure.commands import CLOSE, CloseCase, Closure
    from services.intake.notices.matching.records import NoticeMatch
    # The path's input and state: built once per process, not once per workflow run.
    from services.intake.records import ClientPathInput, PathState
    from shared.contracts import (
        ASSESSMENT_WORKFLOW,
        CLOSURE_STATUS,
        PLAN_CLOSE_SIGNAL,
        PLAN_WORKFLOW,
        LANGUAGE_NEEDS_SIGNAL,
        AssessmentOutcome,
        CaseChange,
        CaseStatus,
        ClosureReason,
        Deadline,
        DeadlineKind,
        LanguageNeedsChanged,
        NotificationRequested,
        PlanInput,
        PlanOutcome,
        Stage,
        assessment_workflow_id,
        plan_workflow_id,
        task_queue,
    )
    from shared.workflow_payloads import CommandResult
    from shared import lifecycle
    from shared.lifecycle import Fact, closure_fact, reason_text

# Workflows ask for notifications with the shared contract (the notifications service reads it).
NotificationRequest = NotificationRequested


def path_workflow_id(client_id: UUID | str) -> str:
    return f"client-{client_id}"


# Retry an activity soon, then back off (intake's database may be busy for a moment).
ACTIVITY_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=100), maximum_interval=timedelta(seconds=60)),
)

DEADLINE_MISSED = "deadline.assessment_start.missed"
ASSESSMENT_AS_CHILD = "assessment-as-child-workflow"
PLAN_AS_CHILD = "plan-as-child-workflow"
# Intake records the path's opening itself (ClientPathInput.opened): one activity less per client.
# Retire the other branch when no path started before this change is still running (a path runs
# until its case closes, up to years) — the start argument then always says `opened`.
OPENED_BY_INTAKE = "path-opened-by-intake"
TIME_LIMIT = "time_limit"
# The plan is told the client's recorded interpreter need (the interview's booked one when none is
# recorded); before, only the booked one. Retire the old branch when no path that started its plan
# before this change can still be replayed (plans run up to years: check the visibility list).
PLAN_GETS_RECORDED_NEED = "plan-gets-recorded-interpreter-need"
DEADLINE_ESCALATED = "deadline.assessment_start.escalated"


CLIENT_PATH_WORKFLOW = "ClientPath"
ASSESSED = (Stage.assessment, CaseStatus.assessment_in_progress)  # where the assessment reports its outcome from


@workflow.defn(name=CLIENT_PATH_WORKFLOW)
class ClientPathWorkflow:
    def __init__(self) -> None:
        self.state = PathState(stage=Stage.intake, status=CaseStatus.received)
        self.assessment_started = False
        self.assessment_outcome: AssessmentOutcome | None = None
        self.path: ClientPathInput | None = None
        self.closing: Closure | None = None  # the case is being closed (the `close` update)
        self.telling_assessment = False  # a `close` is telling the assessment beside the path
        self.plan_child: workflow.ChildWorkflowHandle | None = None
        self.plan_outcome: PlanOutcome | None = None
        self.language_needs: LanguageNeedsChanged | None = None  # staff changed them after the path opened

    @workflow.run
    async def run(self, path: ClientPathInput) -> PathState:
        self.path = path
        deadline = Deadline(kind=DeadlineKind.assessment_start, due_on=path.assessment_due_on)
        # (A path with its assessment beside it started after both changes: no patch marker to ask.)
        if path.opened and (path.assessment_beside or workflow.patched(OPENED_BY_INTAKE)):
            # Intake moved the case, in the transaction that started this path: the same table
            # tells the path where the case now is, without a round trip to say what intake knows.
            self.state.stage, self.state.status = lifecycle.move(self.state.stage, self.state.status, Fact.path_opened)
            self.state.next_deadline = deadline
        else:
            # The timeline shows the event that opened the path as the reason (CONTRACT §3).
            await self._change(path, Fact.path_opened, deadline, path.reason)

        if path.assessment is not None and (path.assessment_beside or workflow.patched(ASSESSMENT_AS_CHILD)):
            if self.closing is not None:  # closed before the assessment began
                return await self._closed()
            # The assessment service keeps the deadline and the staff commands (its own workflow).
            outcome = await self._assess(path)
            if self.closing is not None:
                return await self._closed()
            assert outcome is not None
            if outcome.cancelled:
                self.state.stage, self.state.status, self.state.next_deadline = Stage.closed, CaseStatus.completed, None
                return self.state
            # The assessment reported the fact to intake; the path follows the same table.
            if not outcome.plan_needed:
                self.state.stage, self.state.status = lifecycle.move(*ASSESSED, Fact.assessment_completed_plan_not_needed)
                self.state.next_deadline = None
                return self.state
            assert outcome.completed_on is not None and path.assessment is not None
            self.state.stage, self.state.status = lifecycle.move(*ASSESSED, Fact.assessment_completed_plan_needed)
            self.state.next_deadline = Deadline(
                kind=DeadlineKind.plan_start, due_on=outcome.completed_on + timedelta(days=path.assessment.timings.plan_start_days)
            )
            # The plan follows as a child workflow on the planning service's task queue.
            if path.plan is not None and self.closing is None and workflow.patched(PLAN_AS_CHILD):
                plan = PlanInput(
                    client_id=path.client_id,
                    case_id=path.case_id,
                    municipality_code=outcome.municipality_code or path.municipality_code,
                    assessment_completed_on=outcome.completed_on,
                    plan_start_due_on=self.state.next_deadline.due_on,
                    timings=path.plan,
                    plan_type=outcome.plan_type,
                    client_languages=path.client_languages,
                    service_needs=outcome.service_needs,
                    residence_basis=path.assessment.residence_basis,
                    gender=path.assessment.gender,
                    native_language=path.assessment.native_language,
                    target_group=path.assessment.target_group,
                    client_groups=path.assessment.client_groups,
                    birth_date=path.assessment.birth_date,
                    lead=path.assessment.lead,
                    interpreter_language=outcome.interpreter_language,
                    wellbeing_county_participant=outcome.wellbeing_county_participant,
                    wellbeing_county_participant_sub=outcome.wellbeing_county_participant_sub,
                    record_locally=True,  # an argument, which replay does not compare: no patch needed
                )
                if workflow.patched(PLAN_GETS_RECORDED_NEED):
                    plan = plan.model_copy(update=self._interpreter_need(path, outcome))
                ended = await self._plan(plan)
                if ended.reason == TIME_LIMIT and self.closing is None:
                    # All plans together reached the policy's limit: the path closes the case.
                    today = ended.ended_on or workflow.now().date()
                    await self.close(path, Closure(closure=CloseCase(reason=ClosureReason.time_limit), today=today))
            await workflow.wait_condition(lambda: self.state.stage == Stage.closed)
            return await self._closed()

        # The statutory clock: escalate to the caseworker when it runs out, to the coordinator later.
        if not await wait_until(lambda: self.assessment_started or self.closing is not None, path.assessment_overdue_at):
            if self.closing is not None:
                return await self._closed()
            await self._change(path, Fact.assessment_start_missed, deadline, DEADLINE_MISSED)
            await self._notify(path, "deadline_missed", "caseworker", deadline)
            escalate_at = path.assessment_overdue_at + path.coordinator_escalation_after
            if not await wait_until(lambda: self.assessment_started or self.closing is not None, escalate_at):
                if self.closing is not None:
                    return await self._closed()
                self.state.escalations.append(DEADLINE_ESCALATED)
                await self._notify(path, "deadline_missed", "coordinator", deadline)
                await workflow.wait_condition(lambda: self.assessment_started or self.closing is not None)
        if self.closing is not None:
            return await self._closed()

        await self._change(path, Fact.assessment_started, None, "assessment.started")
        # The assessment and the plan follow as child workflows on their services' task queues.
        await workflow.wait_condition(lambda: self.state.stage == Stage.closed)
        return self.state

    async def _assess(self, path: ClientPathInput) -> AssessmentOutcome | None:
        """Wait for the assessment's outcome: told at once on completion (the assessment stays open
        a while for corrections), or its end when cancelled; None when the case closes first. An
        assessment beside the path was started by intake; before that, the path started it as its
        child."""
        given = path.assessment
        assert given is not None
        if path.assessment_beside:
            await workflow.wait_condition(lambda: self.assessment_outcome is not None or self.closing is not None)
            return self.assessment_outcome
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
        if self.closing is not None:  # closed while it was starting
            await child.signal("case_closed", "case_closed")
        await workflow.wait_condition(lambda: self.assessment_outcome is not None)
        assert self.assessment_outcome is not None
        return self.assessment_outcome

    async def _plan(self, given: PlanInput) -> PlanOutcome:
        """Start the plan and wait for it to end (closed by the path, or at its time limit)."""
        self.plan_child = await workflow.start_child_workflow(
            PLAN_WORKFLOW,
            given,
            id=plan_workflow_id(given.case_id),
            task_queue=task_queue("planning"),
            result_type=PlanOutcome,
        )

        async def ended() -> None:
            assert self.plan_child is not None
            self.plan_outcome = await self.plan_child

        self._plan_watcher = asyncio.create_task(ended())
        if self.closing is not None:  # closed while it was starting
            await self.plan_child.signal(PLAN_CLOSE_SIGNAL, self.closing.closure.reason.value)
        await workflow.wait_condition(lambda: self.plan_outcome is not None)
        assert self.plan_outcome is not None
        return self.plan_outcome

    async def _closed(self) -> PathState:
        """The case is closed: the path ends once the closing command has answered."""
        await workflow.wait_condition(lambda: self.state.stage == Stage.closed and workflow.all_handlers_finished())
        return self.state

    # --- closure (CONTRACT §5): the path tells its children, records the case closed, ends ------

    @workflow.update(name=CLOSE)
    async def close_case(self, closure: Closure) -> CommandResult:
        assert self.path is not None
        return await self.close(self.path, closure)

    @close_case.validator
    def check_close(self, closure: Closure) -> None:
        if self.path is None:
            raise ApplicationError("the client's path has not started yet", {"status": 409, "params": {}}, type="case_not_open", non_retryable=True)
        if self.closing is not None or self.telling_assessment or self.state.stage == Stage.closed:
            raise ApplicationError("the case is already closed", {"status": 409, "params": {}}, type="case_already_closed", non_retryable=True)

    async def close(self, path: ClientPathInput, closure: Closure) -> CommandResult:
        reason = closure.closure.reason
        if path.assessment_beside and self.assessment_outcome is None:
            # Its start left with the path's, but may not have reached Temporal yet (it is retried
            # while Temporal is busy): a signal it never received would leave it running for a
            # closed case, so the close waits for it — refused now, staff try again in a moment.
            self.telling_assessment = True
            told = await tell_workflow(assessment_workflow_id(path.case_id), "case_closed", "case_closed")
            self.telling_assessment = False
            if not told:
                raise refuse("assessment_still_starting", "the assessment is still starting: close the case again in a moment")
            self.closing = closure
        else:
            self.closing = closure
            # The assessment ends: cancelled if still open, no more corrections if completed.
            if path.assessment is not None and not await tell_workflow(assessment_workflow_id(path.case_id), "case_closed", "case_closed"):
                workflow.logger.info("the assessment had ended before the case closed")
        if self.plan_child is not None and self.plan_outcome is None:
            await self.plan_child.signal(PLAN_CLOSE_SIGNAL, reason.value)
            await workflow.wait_condition(lambda: self.plan_outcome is not None)
        fact, status = closure_fact(reason), CLOSURE_STATUS[reason]  # intake checks the fact against the case
        changed_at = await workflow.execute_activity(
            "record_case_change",
            CaseChange(
                case_id=path.case_id, stage=Stage.closed, status=status, next_deadline=None,
                reason=reason_text(fact, closure.closure.notes), changed_by=closure.actor_name or closure.actor_sub, deadlines=[],
                fact=fact.value, details={"closed_on": closure.today.isoformat()},
            ),
            result_type=datetime | None,  # type: ignore[arg-type]
            **ACTIVITY_OPTIONS,
        )
        self.state.stage, self.state.status, self.state.next_deadline = Stage.closed, status, None
        await workflow.execute_activity(
            "request_notification",
            NotificationRequest(
                notification_id=workflow.uuid4(),
                kind="case_closed",
                case_id=path.case_id,
                client_id=path.client_id,
                recipient_role="caseworker",
                params={"reason": reason.value},
            ),
            **ACTIVITY_OPTIONS,
        )
        return CommandResult(case_id=path.case_id, status=status.value, changed_at=changed_at or workflow.now())

    @workflow.signal(name="assessment_started")
    def on_assessment_started(self) -> None:
        self.assessment_started = True

    @workflow.signal(name="assessment_completed")
    def on_assessment_completed(self, outcome: AssessmentOutcome) -> None:
        if self.assessment_outcome is None:
            self.assessment_outcome = outcome

    @workflow.signal(name=LANGUAGE_NEEDS_SIGNAL)
    def on_language_needs(self, needs: LanguageNeedsChanged) -> None:
        # Only remembered for the plan's input (a running plan is told by intake itself).
        self.language_needs = needs

    def _interpreter_need(self, path: ClientPathInput, outcome: AssessmentOutcome) -> dict[str, str | None]:
        """The recorded need (the latest staff change, else the registration's); with none recorded,
        the interpreter booked for the interview."""
        recorded = self.language_needs or LanguageNeedsChanged(interpreter_language=path.interpreter_language, interpreter_dialect=path.interpreter_dialect)
        if recorded.interpreter_language or self.language_needs is not None:
            return recorded.model_dump()
        return {"interpreter_language": outcome.interpreter_language, "interpreter_dialect": None}

    @workflow.signal(name="notice_matched")
    def on_notice_matched(self, match: NoticeMatch) -> None:
        # Only remembers what the employer told; the path's commands stay as they were (replay-safe).
        self.state.employment = match

    @workflow.query(name="state")
    def current_state(self) -> PathState:
        return self.state

    async def _change(self, path, fact: Fact, deadline, reason) -> None:
        """Report `fact` to intake, which moves the case by the lifecycle table (the same table
        tells the path where the case now is)."""
        stage, status = lifecycle.move(self.state.stage, self.state.status, fact)
        await workflow.execute_activity(
            "record_case_change",
            CaseChange(case_id=path.case_id, stage=stage, status=status, next_deadline=deadline, reason=reason, fact=fact.value),
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
