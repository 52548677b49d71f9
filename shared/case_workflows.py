"""What the workflows that keep a case's deadlines (the assessment, the plan) share: their clock,
the activities they call (a change of the case, recorded by intake; their own record, written
whole by their service; a notification, which the recruitment notice's workflow asks for too),
and the refusal of a staff command that comes without the part it works on.

Import-light and deterministic (Temporal's workflow API and the shared contracts only): the
workflow sandbox imports it. Recorded histories replay these calls: keep the activity names,
their arguments and their order, or change them behind `workflow.patched`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol, TypeVar
from uuid import UUID

from pydantic_core import to_jsonable_python
from temporalio import workflow
from temporalio.common import RetryPolicy

from shared.contracts import CaseChange, CaseStatus, Deadline, NotificationRequested, Stage, task_queue
from shared.durable import refuse, wait_until
from shared.lifecycle import Fact

# The workflow's own service's activities, on the workflow's own task queue.
ACTIVITY_OPTIONS: dict[str, Any] = dict(
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=60)),
)
# Intake's activities (`record_case_change`, `request_notification`): intake owns the case.
INTAKE_OPTIONS: dict[str, Any] = dict(ACTIVITY_OPTIONS, task_queue=task_queue("intake"))
# The workflow's record is written by a local activity (`record_locally` in its input): the worker
# runs it at once, inside the workflow task, and the history keeps only its marker. Per write that
# is one activity task and one workflow task less for the Temporal server, and one round trip less
# before a staff command is answered. Fit for it: a short, idempotent write (the record whole, by
# its id) to the database of the worker's own service; retried like the other activities.
# Decided by the input rather than by `workflow.patched`: what a workflow does is then plain from
# its input, and its history has no patch marker to be retired later.
LOCAL_ACTIVITY_OPTIONS: dict[str, Any] = dict(ACTIVITY_OPTIONS)


class StaffActor(Protocol):
    """Who gave a staff command (the `Actor` of the assessment's and the plan's commands)."""

    sub: str
    name: str


Entry = TypeVar("Entry")


# --- the clock ---------------------------------------------------------------------------------


class DeadlineClock:
    """What a workflow that keeps a case's deadlines as durable timers starts from: its input and
    timings, one lock that timers, commands and signals take in turn, and the version that every
    change which moves the timers bumps. The workflow says when it has closed, when its next alarm
    is, and what ringing an alarm does."""

    def __init__(self, given: Any) -> None:
        self.given = given
        self.timings = given.timings
        self.lock = asyncio.Lock()  # one change at a time: timers, commands and signals take turns
        self.version = 0  # bumped by every change that moves the timers

    def _has_closed(self) -> bool:
        raise NotImplementedError

    def _next_alarm(self) -> tuple[datetime, str] | None:
        """When the next alarm rings and its key; None: nothing is due until something changes."""
        raise NotImplementedError

    async def _ring(self, key: str) -> None:
        raise NotImplementedError

    async def _tick(self) -> None:
        """One turn of the clock: wait for the next alarm and ring it, unless a command, a signal or
        the case closing changed things first; the next turn then works the next alarm out again."""
        version = self.version
        changed = lambda: self._has_closed() or self.version != version  # noqa: E731
        alarm = self._next_alarm()
        if alarm is None:
            await workflow.wait_condition(changed)
            return
        moment, key = alarm
        if await wait_until(changed, moment):
            return
        async with self.lock:
            if not changed():
                await self._ring(key)


# --- the hands ---------------------------------------------------------------------------------


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
    fact: Fact | None = None,
    details: dict[str, Any] | None = None,
) -> datetime:
    """Move the case through intake; answers with the case's last change time (what its events
    and the projection carry), or, from an intake worker that answers nothing, no earlier than
    when it was asked. `fact`: what happened (intake moves the case by the lifecycle table and
    publishes its domain events, with `details`). Reporting facts changed this activity's argument
    only, not the workflows' commands: histories recorded before replay as they were, no patch."""
    change = CaseChange(
        case_id=case_id, stage=stage, status=status, next_deadline=next_deadline, reason=reason,
        changed_by=(actor.name or actor.sub) if actor else None, deadlines=deadlines, announce=announce,
        fact=fact.value if fact else None, details=to_jsonable_python(details or {}),
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


async def save_record(activity: str, record: Any, entry: Any, *, locally: bool) -> None:
    """Note `entry` (an `action_entry`) on the record, then the service's activity writes it whole:
    as a local activity (`locally`, the input's `record_locally`), or as a normal one in a workflow
    started before that change. Retire the normal one when no assessment or plan started before it
    runs any more (plans run up to years: look for running ones without `record_locally`)."""
    record.actions.append(entry)
    if locally:
        await workflow.execute_local_activity(activity, record, **LOCAL_ACTIVITY_OPTIONS)
    else:
        await workflow.execute_activity(activity, record, **ACTIVITY_OPTIONS)


async def tell_workflow(workflow_id: str, signal: str, arg: Any) -> bool:
    """Signal another workflow; False when it is not there (not started yet, or ended)."""
    try:
        await workflow.get_external_workflow_handle(workflow_id).signal(signal, arg)
    except Exception:
        return False
    return True


async def tell_until_there(
    workflow_id: str, signal: str, arg: Any, *, no_longer_needed: Callable[[], bool],
    first_pause: timedelta = timedelta(seconds=10), longest_pause: timedelta = timedelta(hours=1),
) -> None:
    """Signal again, after growing pauses, until the workflow is there (its start may reach Temporal
    late: it is retried while Temporal is busy, or waits for an admin) or no longer needs telling."""
    pause = first_pause
    while not no_longer_needed():
        await workflow.sleep(pause)
        if await tell_workflow(workflow_id, signal, arg):
            return
        pause = min(pause * 2, longest_pause)


async def request_notification(
    *, activity: str = "request_notification", options: dict[str, Any] = INTAKE_OPTIONS, **request: Any
) -> None:
    """Ask for a notification (`request`: the fields of `NotificationRequested` but its id). By
    default through intake, which fills in the case's municipality as it is now when none is given."""
    await workflow.execute_activity(activity, NotificationRequested(notification_id=workflow.uuid4(), **request), **options)


# --- staff commands ----------------------------------------------------------------------------


def required_body(command: Any, part: str, name: str) -> Any:
    """The part of a staff command that the update `name` works on; refused (422) when missing,
    before anything reaches the history."""
    body = getattr(command, part)
    if body is None:
        raise refuse("command_body_missing", f"the {name} command has no `{part}` body", 422, command=name)
    return body
