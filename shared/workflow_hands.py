"""What the assessment and plan workflows ask their activities for: a change of the case, recorded
by intake; their own record, written whole by their service; a notification.

Import-light and deterministic (Temporal's workflow API and the shared contracts only): the
workflow sandbox imports it. Recorded histories replay these calls: keep the activity names,
their arguments and their order, or change them behind `workflow.patched`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from uuid import UUID

from temporalio import workflow
from temporalio.common import RetryPolicy

from shared.contracts import CaseChange, CaseStatus, Deadline, NotificationRequested, Stage, task_queue

# The workflow's own service's activities, on the workflow's own task queue.
ACTIVITY_OPTIONS: dict[str, Any] = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=60)),
)
# Intake's activities (`record_case_change`, `request_notification`): intake owns the case.
INTAKE_OPTIONS: dict[str, Any] = dict(ACTIVITY_OPTIONS, task_queue=task_queue("intake"))


class StaffActor(Protocol):
    """Who gave a staff command (the `Actor` of the assessment's and the plan's commands)."""

    sub: str
    name: str


Entry = TypeVar("Entry")


def changed_by(actor: StaffActor | None) -> str | None:
    """The staff member a case change names; None for the workflow itself."""
    return (actor.name or actor.sub) if actor else None


async def record_case_change(
    case_id: UUID,
    stage: Stage,
    status: CaseStatus,
    reason: str,
    actor: StaffActor | None,
    *,
    next_deadline: Deadline | None,
    deadlines: list[Deadline],
    announce: bool,
) -> datetime:
    """Move the case through intake; answers with the case's last change time (what its events
    and the projection carry), or, from an intake worker that answers nothing, no earlier than
    when it was asked."""
    change = CaseChange(
        case_id=case_id,
        stage=stage,
        status=status,
        next_deadline=next_deadline,
        reason=reason,
        changed_by=changed_by(actor),
        deadlines=deadlines,
        announce=announce,
    )
    asked_at = workflow.now()
    changed_at = await workflow.execute_activity(
        "record_case_change", change, result_type=datetime | None, **INTAKE_OPTIONS  # type: ignore[arg-type]
    )
    return changed_at or asked_at


def action_entry(entry_type: type[Entry], action: str, actor: StaffActor | None) -> Entry:
    """Who did what, and when, as a record's `actions` keep it (no one: the workflow itself)."""
    return entry_type(  # type: ignore[call-arg]
        action=action, sub=actor.sub if actor else None, name=(actor.name or None) if actor else None, at=workflow.now()
    )


async def save_record(activity: str, record: Any, entry: Any) -> None:
    """Note `entry` (an `action_entry`) on the record, then the service's activity writes it whole."""
    record.actions.append(entry)
    await workflow.execute_activity(activity, record, **ACTIVITY_OPTIONS)


async def request_notification(
    kind: str,
    role: str,
    params: dict[str, Any],
    *,
    case_id: UUID | None,
    client_id: UUID | None,
    municipality_code: str | None = None,
    notice_id: UUID | None = None,
    activity: str = "request_notification",
    options: dict[str, Any] = INTAKE_OPTIONS,
) -> None:
    """Ask for a notification, by default through intake, which fills in the case's municipality
    as it is now when none is given."""
    await workflow.execute_activity(
        activity,
        NotificationRequested(
            notification_id=workflow.uuid4(),
            kind=kind,
            municipality_code=municipality_code,
            recipient_role=role,
            case_id=case_id,
            client_id=client_id,
            params=params,
            notice_id=notice_id,
        ),
        **options,
    )
