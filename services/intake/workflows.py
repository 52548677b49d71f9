"""The client's path workflow (`client-<client_id>`): one per client, from intake to closing; and
the recruitment notice's workflow (`notice-<notice_id>`): one per employer's notice.

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

with workflow.unsafe.imports_passed_through():
    from shared.contracts import CaseStatus, Deadline, DeadlineKind, Stage


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


class CaseChange(BaseModel):
    case_id: UUID
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None
    reason: str
    changed_by: str | None = None  # the staff member whose command made the change


class NotificationRequest(BaseModel):
    notification_id: UUID
    kind: str
    case_id: UUID | None = None
    client_id: UUID | None = None
    recipient_role: str
    params: dict
    # A recruitment notice is no case: its notifications name the municipality (and the notice).
    municipality_code: str | None = None
    notice_id: UUID | None = None


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


@workflow.defn(name="ClientPath")
class ClientPathWorkflow:
    def __init__(self) -> None:
        self.state = PathState(stage=Stage.intake, status=CaseStatus.received)
        self.assessment_started = False

    @workflow.run
    async def run(self, path: ClientPathInput) -> PathState:
        deadline = Deadline(kind=DeadlineKind.assessment_start, due_on=path.assessment_due_on)
        await self._change(path, Stage.assessment, CaseStatus.awaiting_assessment, deadline, path.reason)

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

    @workflow.signal(name="assessment_started")
    def on_assessment_started(self) -> None:
        self.assessment_started = True

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


# --- recruitment notices -------------------------------------------------------------------------


def notice_workflow_id(notice_id: UUID | str) -> str:
    return f"notice-{notice_id}"


class NoticeInput(BaseModel):
    notice_id: UUID
    municipality_code: str  # the destination: its caseworkers are told
    remind_at: datetime  # policy: notice_reminder_days before the expected arrival
    expire_at: datetime  # policy: notice_grace_days after it, when nobody has arrived
    details: dict  # what the notifications say: employer, job, recruit, arrival, family, preparations


class NoticeOutcome(BaseModel):
    """How a notice ended, as the database has it."""

    status: str  # arrived | expired | withdrawn
    client_id: UUID | None = None
    case_id: UUID | None = None


class NoticeState(BaseModel):
    status: str = "received"
    reminded: bool = False
    arrived_client_id: UUID | None = None


# The workflow starts, and an arrival or a withdrawal is signalled, just before the transaction
# that records it commits: wait for the commit, and if it never comes (rolled back), carry on without.
_UNTIL_COMMITTED = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=2))
RECORDED_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(minutes=15), retry_policy=_UNTIL_COMMITTED
)
SETTLE_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30), schedule_to_close_timeout=timedelta(hours=2), retry_policy=_UNTIL_COMMITTED
)


@workflow.defn(name="RecruitmentNotice")
class RecruitmentNoticeWorkflow:
    """`notice-<id>`: tells the destination municipality about the notice, reminds it before the
    arrival, and ends when the recruit arrives, the employer withdraws, or the grace period passes.
    Acknowledging a notice is a database change only: the timers don't depend on it."""

    def __init__(self) -> None:
        self.state = NoticeState()
        self.signalled = False  # an arrival or a withdrawal was reported

    @workflow.run
    async def run(self, notice: NoticeInput) -> NoticeState:
        try:
            await workflow.execute_activity("confirm_notice_recorded", notice.notice_id, **RECORDED_OPTIONS)
        except ActivityError:
            self.state.status = "not_recorded"  # the submission was rolled back: there is no notice
            return self.state
        await self._notify(notice, "notice_received")
        while True:
            moment = notice.expire_at if self.state.reminded else notice.remind_at
            if await wait_until(lambda: self.signalled, moment):
                try:
                    outcome = await workflow.execute_activity(
                        "settled_notice_status", notice.notice_id, result_type=NoticeOutcome, **SETTLE_OPTIONS
                    )
                except ActivityError:
                    self.signalled = False  # never committed: the notice is still open
                    continue
            elif not self.state.reminded:
                await self._notify(notice, "notice_reminder")
                self.state.reminded = True
                continue
            else:
                outcome = await workflow.execute_activity(
                    "record_notice_expiry", notice.notice_id, result_type=NoticeOutcome, **ACTIVITY_OPTIONS
                )
            return await self._finish(notice, outcome)

    @workflow.signal(name="arrived")
    def on_arrived(self, client_id: UUID) -> None:
        self.state.arrived_client_id = client_id
        self.signalled = True

    @workflow.signal(name="withdrawn")
    def on_withdrawn(self) -> None:
        self.signalled = True

    @workflow.query(name="state")
    def current_state(self) -> NoticeState:
        return self.state

    async def _finish(self, notice: NoticeInput, outcome: NoticeOutcome) -> NoticeState:
        self.state.status = outcome.status
        if outcome.status == "arrived":
            self.state.arrived_client_id = outcome.client_id
            await self._notify(notice, "notice_arrived", case_id=outcome.case_id, client_id=outcome.client_id)
        elif outcome.status == "expired":
            await self._notify(notice, "notice_expired")
        elif outcome.status == "withdrawn" and workflow.patched("tell-staff-of-withdrawal"):
            # Added while notices were running: those withdrawn before it replay without it.
            await self._notify(notice, "notice_withdrawn")
        return self.state

    async def _notify(self, notice: NoticeInput, kind: str, *, case_id: UUID | None = None, client_id: UUID | None = None) -> None:
        await workflow.execute_activity(
            "request_notification",
            NotificationRequest(
                notification_id=workflow.uuid4(),
                kind=kind,
                case_id=case_id,
                client_id=client_id,
                recipient_role="caseworker",
                params=notice.details,
                municipality_code=notice.municipality_code,
                notice_id=notice.notice_id,
            ),
            **ACTIVITY_OPTIONS,
        )
