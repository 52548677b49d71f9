"""The triage decision's clock (`triage-<case_id>`): one small workflow per case in the triage
queue, so that its `triage_decision` deadline passes loudly, like the statutory ones: the
caseworker is told when it passes, the coordinator later.

A workflow of its own rather than the client's path started in a waiting state: a triaged case
has no path yet (the path starts, with its own input, only when staff decide a target group), and
the path's recorded histories stay as they are. It asks intake at each step whether the case still
waits for this decision (decided, closed or moved on: nothing to tell), so a decision that reaches
it late, or not at all, tells no one wrongly; the `decided` signal only ends it sooner.

A policy applied later (`kotopolku policy apply`, the `policy_changed` signal) moves the deadline:
the clock asks intake to put the move on the case's timeline and waits for the new day. A deadline
that had passed stays passed (the caseworker was told; the coordinator's escalation keeps its day).

Deterministic and import-light (the sandbox re-imports it for every run).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from shared.contracts import DeadlineKind, NotificationRequested
    from shared.durable import wait_until

TRIAGE_DEADLINE_WORKFLOW = "TriageDeadline"
DECIDED_SIGNAL = "decided"
# Intake's activities (triage/activities.py, activities.py), on intake's task queue.
RECORD_MISSED = "record_triage_decision_missed"
RECORD_MOVED = "record_triage_decision_moved"
POLICY_CHANGED = "policy_changed"
# A running clock follows a policy applied after it began. Its check can go once no worker older
# than this change runs (docs/policy.md).
POLICY_RECOMPUTE = "policy-recompute"
STILL_WAITING = "triage_decision_pending"

ACTIVITY_OPTIONS = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60)),
)


def triage_workflow_id(case_id: UUID | str) -> str:
    return f"triage-{case_id}"


class TriageDeadline(BaseModel):
    """A case waiting in the triage queue and its decision's deadline (from policy, computed
    outside the sandbox)."""

    case_id: UUID
    client_id: UUID
    due_on: date
    overdue_at: datetime  # the deadline has passed (start of the next day, Finnish time)
    coordinator_escalation_after: timedelta
    policy_version: str | None = None  # the policy version its day came from (None: before versions)


class TriagePolicyChanged(BaseModel):
    """The `policy_changed` signal: the new policy's day for this deadline (worked out by intake
    from the day the case was put in the queue) and its version."""

    version: str
    label: str | None = None
    due_on: date
    overdue_at: datetime


class TriageDeadlineMoved(BaseModel):
    """What the clock asks intake to put on the case's timeline when a policy moves its deadline."""

    deadline: TriageDeadline  # as it was
    change: TriagePolicyChanged
    passed: bool  # it had passed (the caseworker told): it stays passed


@workflow.defn(name=TRIAGE_DEADLINE_WORKFLOW)
class TriageDeadlineWorkflow:
    @workflow.init
    def __init__(self, deadline: TriageDeadline) -> None:
        self.decided = False
        self.deadline = deadline  # as the policy applied last gives it
        self.changes: list[TriagePolicyChanged] = []  # applied policies not yet followed
        self.passed = False

    def _woken(self) -> bool:
        return self.decided or bool(self.changes)

    @workflow.run
    async def run(self, deadline: TriageDeadline) -> str:
        while await wait_until(self._woken, self.deadline.overdue_at):
            if self.decided or not await self._follow_policy():
                return "decided"
        # Passed: on the case's timeline (and `deadline.passed`), and the caseworker is told.
        if not await workflow.execute_activity(RECORD_MISSED, self.deadline, result_type=bool, **ACTIVITY_OPTIONS):
            return "decided"
        self.passed = True
        await self._notify(self.deadline, "caseworker")
        escalate_at = self.deadline.overdue_at + self.deadline.coordinator_escalation_after  # a later move keeps it
        while await wait_until(self._woken, escalate_at):
            if self.decided or not await self._follow_policy():
                return "decided"
        if not await workflow.execute_activity(STILL_WAITING, self.deadline, result_type=bool, **ACTIVITY_OPTIONS):
            return "decided"
        await self._notify(self.deadline, "coordinator")
        return "escalated"

    async def _follow_policy(self) -> bool:
        """The deadline moves to the applied policy's day, on the case's timeline; False when the
        case no longer waits for this decision."""
        change = self.changes.pop(0)
        if change.version == self.deadline.policy_version:
            return True  # this version again
        if change.due_on != self.deadline.due_on:
            moved = TriageDeadlineMoved(deadline=self.deadline, change=change, passed=self.passed)
            if not await workflow.execute_activity(RECORD_MOVED, moved, result_type=bool, **ACTIVITY_OPTIONS):
                return False
        update = {"due_on": change.due_on, "policy_version": change.version}
        if not self.passed:  # a passed deadline keeps its passing
            update["overdue_at"] = change.overdue_at
        self.deadline = self.deadline.model_copy(update=update)
        return True

    @workflow.signal(name=POLICY_CHANGED)
    def on_policy_changed(self, change: TriagePolicyChanged) -> None:
        if workflow.patched(POLICY_RECOMPUTE) and not self.decided:
            self.changes.append(change)

    @workflow.signal(name=DECIDED_SIGNAL)
    def on_decided(self) -> None:
        self.decided = True

    async def _notify(self, deadline: TriageDeadline, role: str) -> None:
        await workflow.execute_activity(
            "request_notification",
            NotificationRequested(
                notification_id=workflow.uuid4(),
                kind="deadline_missed",
                case_id=deadline.case_id,
                client_id=deadline.client_id,
                recipient_role=role,
                params={"deadline_kind": DeadlineKind.triage_decision.value, "due_on": deadline.due_on.isoformat()},
            ),
            **ACTIVITY_OPTIONS,
        )
