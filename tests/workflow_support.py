"""Helpers the workflow tests share on Temporal's time-skipping test server: stand-ins for the
activities the path, assessment and plan workflows call, the production workers built with them,
the test server's clock, and a staff command's refusal."""

from __future__ import annotations

from contextlib import AsyncExitStack, asynccontextmanager
from datetime import date, datetime
from typing import Any, Callable

import pytest
from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from services.assessment.records import AssessmentRecord, CorrectionRecord
from services.assessment.workflows import AssessmentWorkflow
from services.intake.workflows import ClientPathWorkflow
from services.planning.records import PlanRecord
from services.planning.workflows import IntegrationPlanWorkflow
from shared.clock import FINNISH_TIME
from shared.contracts import CaseChange, NotificationRequested, task_queue
from shared.temporal import build_worker


def _keeping(activity_name: str, kept_in: str, given_type: type) -> Callable:
    """A stand-in for the activity `activity_name` that keeps what it is given in the list `kept_in`."""

    async def stand_in(self, given) -> None:
        getattr(self, kept_in).append(given)

    stand_in.__annotations__ = {"given": given_type, "return": None}  # what Temporal decodes the argument as
    stand_in.__name__ = stand_in.__qualname__ = activity_name
    return activity.defn(name=activity_name)(stand_in)


class RecordedActivities:
    """Stand-ins for the activities the path, assessment and plan workflows call, remembering what
    they were asked: case changes (intake's), notifications (intake's and the assessment's own),
    the records saved (assessments and plans) and the assessments' corrections."""

    def __init__(self) -> None:
        self.changes: list[CaseChange] = []
        self.notifications: list[NotificationRequested] = []
        self.records: list[AssessmentRecord | PlanRecord] = []
        self.corrections: list[CorrectionRecord] = []

    @activity.defn(name="record_case_change")
    async def record_case_change(self, change: CaseChange) -> datetime:
        self.changes.append(change)
        return activity.info().current_attempt_scheduled_time  # recorded as soon as asked

    request_notification = _keeping("request_notification", "notifications", NotificationRequested)
    request_assessment_notification = _keeping("request_assessment_notification", "notifications", NotificationRequested)
    record_assessment = _keeping("record_assessment", "records", AssessmentRecord)
    record_assessment_correction = _keeping("record_assessment_correction", "corrections", CorrectionRecord)
    record_plan = _keeping("record_plan", "records", PlanRecord)

    def of(self, service: str) -> list:
        """The stand-ins for one service's activities, on its task queue."""
        return {
            "intake": [self.record_case_change, self.request_notification],
            "assessment": [self.record_assessment, self.record_assessment_correction, self.request_assessment_notification],
            "planning": [self.record_plan],
        }[service]


SERVICE_WORKFLOWS = {"assessment": [AssessmentWorkflow], "planning": [IntegrationPlanWorkflow]}


@asynccontextmanager
async def workers(env, recorded: RecordedActivities, *services: str, path: bool = False):
    """The production worker set-up with the stand-ins: intake's worker (running the client's path
    workflow when `path`), and the workers of `services` ("assessment", "planning") with their workflows."""
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            build_worker(env.client, task_queue("intake"), [ClientPathWorkflow] if path else [], recorded.of("intake"))
        )
        for service in services:
            await stack.enter_async_context(
                build_worker(env.client, task_queue(service), SERVICE_WORKFLOWS[service], recorded.of(service))
            )
        yield


async def start_written(client, database, *types: str) -> dict[str, Any]:
    """Start the workflows of `types` whose starts a service wrote (its `workflow_command` rows), as
    its relay would, and mark them sent; their handles by workflow id. For the time-skipping test
    server, which knows no conflict policy."""
    from sqlmodel import select

    from shared.workflow_commands import START, WorkflowCommand

    handles = {}
    async with database.session() as session:
        rows = (await session.exec(select(WorkflowCommand).where(
            WorkflowCommand.kind == START, WorkflowCommand.workflow_type.in_(types), WorkflowCommand.sent_at.is_(None)
        ))).all()
        for row in rows:
            handles[row.workflow_id] = await client.start_workflow(row.workflow_type, row.arg, id=row.workflow_id, task_queue=row.task_queue)
            row.sent_at = datetime.now().astimezone()
        await session.commit()
    return handles


async def env_today(env) -> date:
    """Today in Finland by the test server's clock (which skips time), not the wall clock."""
    return (await env.get_current_time()).astimezone(FINNISH_TIME).date()


async def sleep_until(env, day: date, hour: int = 12) -> None:
    """Let the test server's time pass to `hour` o'clock (Finnish time) on `day`."""
    moment = datetime.combine(day, datetime.min.time().replace(hour=hour), tzinfo=FINNISH_TIME)
    await env.sleep(moment - await env.get_current_time())


async def refused(handle, update: str, command: Any) -> ApplicationError:
    """The refusal a workflow's validator answers a staff command (an update) with."""
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(update, command)
    cause = failure.value.cause
    assert isinstance(cause, ApplicationError)
    return cause
