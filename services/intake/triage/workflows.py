"""The triage decision's clock (`triage-<case_id>`): one small workflow per case in the triage
queue, so that its `triage_decision` deadline passes loudly, like the statutory ones: the
caseworker is told when it passes, the coordinator later.

A workflow of its own rather than the client's path started in a waiting state: a triaged case
has no path yet (the path starts, with its own input, only when staff decide a target group), and
the path's recorded histories stay as they are. It asks intake at each step whether the case still
waits for this decision (decided, closed or moved on: nothing to tell), so a decision that reaches
it late, or not at all, tells no one wrongly; the `decided` signal only ends it sooner.

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


@workflow.defn(name=TRIAGE_DEADLINE_WORKFLOW)
class TriageDeadlineWorkflow:
    def __init__(self) -> None:
        self.decided = False

    @workflow.run
    async def run(self, deadline: TriageDeadline) -> str:
        if await wait_until(lambda: self.decided, deadline.overdue_at):
            return "decided"
        # Passed: on the case's timeline (and `deadline.passed`), and the caseworker is told.
        if not await workflow.execute_activity(RECORD_MISSED, deadline, result_type=bool, **ACTIVITY_OPTIONS):
            return "decided"
        await self._notify(deadline, "caseworker")
        if await wait_until(lambda: self.decided, deadline.overdue_at + deadline.coordinator_escalation_after):
            return "decided"
        if not await workflow.execute_activity(STILL_WAITING, deadline, result_type=bool, **ACTIVITY_OPTIONS):
            return "decided"
        await self._notify(deadline, "coordinator")
        return "escalated"

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
