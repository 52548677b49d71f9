"""The initial assessment (`assessment-<case_id>`, task queue kotopolku-assessment): started by
intake beside the client's path, which it tells its outcome (before 2026-12-07: the path's child
workflow, telling its parent). Import-light and deterministic: the sandbox re-imports it.

It keeps the start deadline as a durable timer that a staff command cuts short: reminders before
it (policy), the caseworker told when it passes (case status `assessment_overdue`), the
coordinator later. Staff commands are updates whose validators refuse what does not fit the
assessment's state before anything reaches the history; the handlers record the change in the
assessment's own tables and, through intake's `record_case_change` activity, on the case.

- `schedule` books (or moves) the interview: the deadline reminders give way to one reminder
  before the interview while the interview is on or before the deadline.
- `start` meets the deadline: nothing is reminded or escalated after it.
- `complete` hands over: plan needed -> planning/awaiting_plan with the plan_start deadline,
  not needed -> closed/plan_not_needed; the outcome goes to the path at once. The workflow then
  stays open for `correct` for policy `assessment_correction_days` (or until the case closes).
- `moved` (signal) cancels the assessment in the old municipality and re-opens it in the new one
  with the deadline it already had; `case_closed` ends it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic_core import to_jsonable_python

    import services.assessment.rules as rules  # by its full name: passed through, not run again for every workflow (test_sandbox_imports.py)
    from shared import lifecycle
    from shared.lifecycle import Fact, reason_text
    from shared.durable import refuse, wait_until
    from shared.case_workflows import (
        ACTIVITY_OPTIONS, DeadlineClock, action_entry, record_case_change, request_notification, required_body, save_record,
        tell_until_there, tell_workflow,
    )
    from services.assessment.records import AWAITING, CANCELLED, COMPLETED, IN_PROGRESS, SCHEDULED, Action, AssessmentRecord, CorrectionRecord, AssessmentState
    from services.assessment.commands import (
        CASE_CLOSED,
        COMPLETE,
        CORRECT,
        MOVED,
        POLICY_CHANGED,
        RECORD,
        SCHEDULE,
        START,
        STATE,
        Actor,
        Command,
        CommandResult,
        InterviewRecord,
        Moved,
        PolicyChanged,
        ScheduleAssessment,
    )
    from shared.contracts import (
        ASSESSMENT_WORKFLOW,
        AssessmentInput,
        AssessmentOutcome,
        CaseStatus,
        Deadline,
        DeadlineKind,
        Stage,
        from_record,
    )

PATH_COMPLETED_SIGNAL = "assessment_completed"  # tells the path the outcome at once
# A running assessment follows a policy applied after it began (the `policy_changed` signal). Its
# check can go once no worker older than this change runs (docs/policy.md).
POLICY_RECOMPUTE = "policy-recompute"


@workflow.defn(name=ASSESSMENT_WORKFLOW)
class AssessmentWorkflow(DeadlineClock):
    @workflow.init
    def __init__(self, given: AssessmentInput) -> None:
        super().__init__(given)
        self.closed = False
        self.record = AssessmentRecord(
            assessment_id=workflow.uuid4(),
            case_id=given.case_id,
            client_id=given.client_id,
            municipality_code=given.municipality_code,
            status=AWAITING,
            became_client_on=given.became_client_on,
            due_on=given.due_on,
            residence_basis=given.residence_basis,
            gender=given.gender,
            native_language=given.native_language,
            target_group=given.target_group,
            client_groups=given.client_groups,
            birth_date=given.birth_date,
            lead=given.lead,
            policy_version=given.policy_version,
        )
        self.case_stage, self.case_status = Stage.assessment, CaseStatus.awaiting_assessment
        self.since = workflow.now()  # reminders due before this are not sent (opened or re-opened later)
        self.scheduled_at: datetime | None = None
        self.caseworker_told_at: datetime | None = None
        self.completed_at: datetime | None = None
        # The case's last change this assessment made, as intake recorded it: what a command
        # answers with, so the route waits for the projection to show exactly that change.
        self.case_changed_at: datetime | None = None
        self.sent: list[str] = []
        self.corrections = 0
        self.outcome = AssessmentOutcome()

    # --- the clock -------------------------------------------------------------------------

    @workflow.run
    async def run(self, given: AssessmentInput) -> AssessmentOutcome:
        async with self.lock:
            await self._save("opened", None)
        while not self.closed and self.record.status != COMPLETED:
            await self._tick()
        if self.record.status == COMPLETED:
            # Corrections reach the completed assessment through this workflow for a while.
            assert self.completed_at is not None
            await wait_until(lambda: self.closed, self.completed_at + timedelta(days=self.timings.correction_days))
        else:
            async with self.lock:
                self.record.status = CANCELLED
                self.record.cancel_reason = self.record.cancel_reason or "case_closed"
                self.outcome = AssessmentOutcome(cancelled=True, cancel_reason=self.record.cancel_reason)
                await self._save("cancelled", None)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.outcome

    def _has_closed(self) -> bool:
        return self.closed

    def _next_alarm(self) -> tuple[datetime, str] | None:
        return rules.next_alarm(self.record, self.timings, sent=self.sent, since=self.since, scheduled_at=self.scheduled_at)

    def _deadline(self) -> Deadline:
        return Deadline(kind=DeadlineKind.assessment_start, due_on=self.record.due_on)

    async def _ring(self, key: str) -> None:
        deadline = self._deadline()
        due = {"deadline_kind": deadline.kind.value, "due_on": deadline.due_on.isoformat()}
        if key == "overdue":
            self.record.overdue = True
            self.caseworker_told_at = workflow.now()
            await self._case(Fact.assessment_start_missed, deadline, details={"due_on": deadline.due_on})
            await self._notify("deadline_missed", "caseworker", due)
            await self._save("deadline_missed", None)
        elif key == "escalate":
            self.record.escalated = True
            await self._notify("deadline_missed", "coordinator", due)
            await self._save("deadline_escalated", None)
        elif key.startswith("deadline-"):
            self.sent.append(key)
            await self._notify("assessment_deadline_reminder", "caseworker", {**due, "days": int(key.split("-", 1)[1])})
        elif key.startswith("interview-"):
            self.sent.append(key)
            schedule = dict(self.record.schedule or {})
            await self._notify("assessment_interview_reminder", "caseworker", {**due, **rules.interview_params(schedule)})
        self.version += 1

    # --- staff commands ----------------------------------------------------------------------

    def _check_open(self, command: Command) -> None:
        if self.closed or self.record.status == CANCELLED:
            raise refuse("assessment_closed", "the assessment has ended: the case is closed")

    @workflow.update(name=SCHEDULE)
    async def schedule(self, command: Command) -> CommandResult:
        body = required_body(command, "schedule", SCHEDULE)
        async with self.lock:
            rescheduled = self.record.schedule is not None
            self.record.schedule = body.model_dump(mode="json")
            self.record.status = SCHEDULED
            self.scheduled_at = workflow.now()
            self.sent = [key for key in self.sent if not key.startswith("interview-")]
            self.version += 1
            action = "rescheduled" if rescheduled else "scheduled"
            # A passed deadline stays visible until the assessment starts (the lifecycle table keeps
            # assessment_overdue); the booking is on the timeline.
            fact = Fact.assessment_rescheduled if rescheduled else Fact.assessment_scheduled
            # The place joined the booked details for the client's invitation: an activity's argument,
            # which replay does not compare, so running histories need no patch.
            booked = body.model_dump(include={"on", "at", "place", "remote", "interview_language", "interpreter_language", "interpreter_dialect"})
            await self._case(fact, self._deadline(), command.actor, announce=True, details={**booked, "rescheduled": rescheduled})
            await self._save(action, command.actor)
            return self._result()

    @schedule.validator
    def check_schedule(self, command: Command) -> None:
        self._check_open(command)
        schedule = required_body(command, "schedule", SCHEDULE)
        if self.record.status in (IN_PROGRESS, COMPLETED):
            raise refuse("assessment_already_started", "the assessment has already started: there is no interview left to schedule")
        if schedule.on < command.today:
            raise refuse("assessment_date_in_past", "the interview date is in the past", 422, on=schedule.on.isoformat())

    @workflow.update(name=START)
    async def start(self, command: Command) -> CommandResult:
        started_on = (command.start.started_on if command.start else None) or command.today
        async with self.lock:
            self.record.status = IN_PROGRESS
            self.record.started_on = started_on
            self.version += 1
            await self._case(Fact.assessment_started, None, command.actor, deadlines=[], details={"started_on": started_on})
            await self._save("started", command.actor)
            return self._result()

    @start.validator
    def check_start(self, command: Command) -> None:
        self._check_open(command)
        if self.record.status == COMPLETED:
            raise refuse("assessment_already_completed", "the assessment is already completed")
        if self.record.status == IN_PROGRESS:
            raise refuse("assessment_already_started", "the assessment has already started")
        rules.check_start_date(command.start.started_on if command.start else None, command.today, self.given.became_client_on)

    @workflow.update(name=RECORD)
    async def record_interview(self, command: Command) -> CommandResult:
        assert command.record is not None
        async with self.lock:
            self._merge_parts(command.record)
            await self._save("recorded", command.actor)
            return self._result()

    @record_interview.validator
    def check_record(self, command: Command) -> None:
        self._check_open(command)
        required_body(command, "record", RECORD)
        self._check_in_progress()

    @workflow.update(name=COMPLETE)
    async def complete(self, command: Command) -> CommandResult:
        body = required_body(command, "complete", COMPLETE)
        completed_on = body.completed_on or command.today
        async with self.lock:
            self._merge_parts(body)
            self.record.status = COMPLETED
            self.record.completed_on = completed_on
            self.record.plan_needed = body.plan_needed
            self.record.plan_type = body.plan_type
            self.record.wellbeing_county_participant = body.wellbeing_county_participant
            self.record.wellbeing_county_participant_sub = body.wellbeing_county_participant_sub
            self.record.no_plan_reason = None if body.plan_needed else body.reason
            self.completed_at = workflow.now()
            self.outcome = AssessmentOutcome(
                plan_needed=body.plan_needed, plan_type=body.plan_type, completed_on=completed_on,
                service_needs=list(self.record.parts.get("service_needs") or []),
                municipality_code=self.record.municipality_code,
                interpreter_language=(self.record.schedule or {}).get("interpreter_language"),
                wellbeing_county_participant=body.wellbeing_county_participant,
                wellbeing_county_participant_sub=body.wellbeing_county_participant_sub,
            )
            self.version += 1
            completed = {"completed_on": completed_on, "plan_needed": body.plan_needed}
            if body.plan_needed:
                plan_start = Deadline(kind=DeadlineKind.plan_start, due_on=completed_on + timedelta(days=self.timings.plan_start_days))
                await self._case(Fact.assessment_completed_plan_needed, plan_start, command.actor, deadlines=[plan_start], details=completed)
            else:
                fact = Fact.assessment_completed_plan_not_needed
                await self._case(fact, None, command.actor, deadlines=[], details=completed, reason=reason_text(fact, body.reason))
            await self._save("completed", command.actor)
            await self._tell_path()
            return self._result()

    @complete.validator
    def check_complete(self, command: Command) -> None:
        self._check_open(command)
        body = required_body(command, "complete", COMPLETE)
        self._check_in_progress()
        rules.check_completion(body, command.today, self.record.started_on)

    @workflow.update(name=CORRECT)
    async def correct(self, command: Command) -> CommandResult:
        body = required_body(command, "correct", CORRECT)
        async with self.lock:
            changes = {}
            for part in rules.given_parts(body):
                new = to_jsonable_python(getattr(body, part))
                old = self.record.parts.get(part)
                if new != old:
                    changes[part] = {"from": old, "to": new}
                    self.record.parts[part] = new
            now = workflow.now()
            self.record.actions.append(Action(action="corrected", sub=command.actor.sub, name=command.actor.name or None, at=now))
            self.corrections += 1
            correction = CorrectionRecord(
                correction_id=workflow.uuid4(),
                assessment_id=self.record.assessment_id,
                case_id=self.record.case_id,
                corrected_by_sub=command.actor.sub,
                corrected_by_name=command.actor.name or None,
                corrected_at=now,
                reason=body.reason,
                changes=changes,
                assessment=self.record,
            )
            await workflow.execute_activity("record_assessment_correction", correction, **ACTIVITY_OPTIONS)
            return self._result()

    @correct.validator
    def check_correct(self, command: Command) -> None:
        correction = required_body(command, "correct", CORRECT)
        if self.closed or self.case_stage == Stage.closed:  # closed by staff, or with no plan needed: the record is final
            raise refuse("assessment_closed", "the assessment has ended: the case is closed")
        if self.record.status != COMPLETED:
            raise refuse("assessment_not_completed", "only a completed assessment is corrected; record the interview instead")
        if not rules.given_parts(correction):
            raise refuse("correction_empty", "the correction names no part of the assessment to correct", 422)

    def _check_in_progress(self) -> None:
        if self.record.status == COMPLETED:
            raise refuse("assessment_already_completed", "the assessment is already completed: correct it instead")
        if self.record.status != IN_PROGRESS:
            raise refuse("assessment_not_started", "the assessment has not started")

    def _merge_parts(self, body: InterviewRecord) -> None:
        for part in rules.given_parts(body):
            self.record.parts[part] = to_jsonable_python(getattr(body, part))

    # --- facts reported -----------------------------------------------------------------------

    @workflow.signal(name=MOVED)
    async def on_moved(self, moved: Moved) -> None:
        if moved.to_municipality_code == self.record.municipality_code or self.closed or self.record.status in (COMPLETED, CANCELLED):
            return  # the same move again, or nothing left to move
        async with self.lock:
            if moved.to_municipality_code == self.record.municipality_code or self.closed or self.record.status == COMPLETED:
                return
            # Cancelled where the client lived ...
            self.record.status, self.record.cancel_reason = CANCELLED, "moved"
            await self._save("cancelled_on_move", None)
            await self._case(Fact.assessment_cancelled_moved_away, self._deadline() if self.record.started_on is None else None, announce=True)
            # ... and re-opened where they live now, with the deadline it already had.
            previous = self.record
            self.record = AssessmentRecord(
                assessment_id=workflow.uuid4(),
                **previous.model_dump(
                    include={"case_id", "client_id", "became_client_on", "due_on", "residence_basis", "gender", "native_language",
                             "target_group", "client_groups", "birth_date", "lead", "policy_version"}
                ),
                municipality_code=moved.to_municipality_code,
                status=AWAITING,
            )
            if moved.timings is not None:
                self.timings = moved.timings
            self.since, self.scheduled_at, self.caseworker_told_at, self.sent = workflow.now(), None, None, []
            self.version += 1
            await self._case(Fact.assessment_reopened_moved_in, self._deadline(), announce=True)
            await self._save("reopened_on_move", None)

    @workflow.signal(name=POLICY_CHANGED)
    async def on_policy_changed(self, change: PolicyChanged) -> None:
        """The deadline worked out again from the new numbers, the timers with it. A deadline
        that moves is on the timeline; one that had passed stays passed (not un-escalated)."""
        if not workflow.patched(POLICY_RECOMPUTE):
            return
        async with self.lock:
            if self.closed or self.record.status not in (AWAITING, SCHEDULED) or change.version == self.record.policy_version:
                return  # nothing open to move, or this version again
            was_due, due_on = self.record.due_on, rules.due_under(self.record, change.assessment_start_months)
            self.timings, self.record.policy_version = change.timings, change.version
            self.version += 1
            if due_on != was_due:
                self.record.due_on = due_on
                if not self.record.overdue:  # the reminders of the new date, none of those already past
                    self.since, self.sent = workflow.now(), [key for key in self.sent if not key.startswith("deadline-")]
                fact = Fact.policy_passed_deadline_moved if self.record.overdue else Fact.policy_deadline_moved
                moved = {"from": was_due, "to": due_on, "policy_version": change.version, "policy_label": change.label}
                text = f"{was_due.isoformat()} → {due_on.isoformat()} ({change.label or change.version})"
                await self._case(fact, self._deadline(), announce=True, details=moved, reason=reason_text(fact, text))
            await self._save("policy_changed", None)

    @workflow.signal(name=CASE_CLOSED)
    def on_case_closed(self, reason: str | None = None) -> None:
        self.closed = True
        if self.record.status != COMPLETED:
            self.record.cancel_reason = reason or "case_closed"
        self.version += 1

    @workflow.query(name=STATE)
    def state(self) -> AssessmentState:
        return from_record(  # the record's progress as it is, and what only the workflow knows
            AssessmentState,
            self.record,
            case_stage=self.case_stage,
            case_status=self.case_status,
            schedule=ScheduleAssessment.model_validate(self.record.schedule) if self.record.schedule else None,
            reminders_sent=list(self.sent),
            corrections=self.corrections,
        )

    # --- the hands ----------------------------------------------------------------------------

    def _result(self) -> CommandResult:
        """A command's answer. `changed_at` is the case's last change made here (a command that does
        not move the case answers with it too: the projection already shows it, nothing to wait
        for); before any, the earliest time (the case as it is)."""
        changed_at = self.case_changed_at or datetime.min.replace(tzinfo=UTC)
        return CommandResult(case_id=self.record.case_id, status=self.case_status.value, changed_at=changed_at)

    async def _case(
        self,
        fact: Fact,
        deadline: Deadline | None,
        actor: Actor | None = None,
        *,
        deadlines: list[Deadline] | None = None,
        announce: bool = False,
        details: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """Report `fact` to intake, which moves the case by the lifecycle table (the same table
        tells this workflow where the case now is)."""
        stage, status = lifecycle.move(self.case_stage, self.case_status, fact)
        self.case_changed_at = await record_case_change(
            self.record.case_id, stage, status, reason or fact.value, actor,
            next_deadline=deadline, deadlines=deadlines if deadlines is not None else ([deadline] if deadline else []), announce=announce,
            fact=fact, details=details,
        )
        self.case_stage, self.case_status = stage, status

    async def _save(self, action: str, actor: Actor | None) -> None:
        await save_record("record_assessment", self.record, action_entry(Action, action, actor), locally=self.given.record_locally)

    async def _notify(self, kind: str, role: str, params: dict[str, Any]) -> None:
        await request_notification(
            kind=kind, municipality_code=self.record.municipality_code,  # after a move: the new municipality
            recipient_role=role, case_id=self.record.case_id, client_id=self.record.client_id, params=params,
            activity="request_assessment_notification", options=ACTIVITY_OPTIONS,
        )

    async def _tell_path(self) -> None:
        """The path learns the outcome: the path beside it (started with it by intake), or the
        path whose child it is."""
        parent = workflow.info().parent
        path_id = self.given.path_workflow_id or (parent.workflow_id if parent else None)
        if path_id is None or await tell_workflow(path_id, PATH_COMPLETED_SIGNAL, self.outcome):
            return
        if self.given.path_workflow_id is None:  # its parent has ended: it will not need the outcome
            workflow.logger.warning("the client's path could not be told the assessment's outcome")
        else:  # the path beside it may not be at Temporal yet: told later (only the path closes the
            # case, so closed means it was there); the command answers now. Kept: a task needs a holder.
            self._telling_path = asyncio.create_task(
                tell_until_there(path_id, PATH_COMPLETED_SIGNAL, self.outcome, no_longer_needed=lambda: self.closed)
            )
