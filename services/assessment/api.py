"""The assessment's staff commands (CONTRACT §5 and the project's own). Thin: authorise, validate
the body with the models of `commands.py`, send the command to the case's assessment workflow as
a Temporal update (its validator refuses what does not fit, with the reason), answer with the case
as `GET /api/v1/cases/{case_id}` shows it right after.

Who may do what: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from services.assessment import commands
from services.assessment.commands import (
    Actor,
    Command,
    CommandResult,
    CompleteAssessment,
    CorrectAssessment,
    InterviewRecord,
    ScheduleAssessment,
    StartAssessment,
)
from shared import clock, staff_commands
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser, require_role
from shared.cases import VisibleCase, case_after
from shared.refusals import NotFound, Refused
from shared.service import ServiceContext, context_dependency, session_dependency

router = APIRouter(prefix="/api/v1/cases/{case_id}/assessment", tags=["assessment"])

Context = Annotated[ServiceContext, Depends(context_dependency("assessment"))]
Session = Annotated[AsyncSession, Depends(session_dependency("assessment"))]
CaseWorker = Annotated[StaffUser, require_role("caseworker", "coordinator")]
IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Repeating a command with the same key has no second effect"),
]

CASE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The case, exactly as `GET /api/v1/cases/{case_id}` shows it after the command"},
    403: {"description": "The user's role may not give this command"},
    404: {"description": "No such case, or not of the user's municipalities"},
    409: {"description": "The command does not fit the assessment's state (reason in fi/sv/en)"},
    503: {"description": "Temporal is not reachable: nothing was done, try again"},
}


def assessment_workflow_id(case_id: UUID | str) -> str:
    return f"assessment-{case_id}"


def refusal_of(error: ApplicationError) -> Refused:
    """The workflow's refusal as the HTTP answer (an unknown code falls back to assessment_refused)."""
    return staff_commands.refusal_of(error, "assessment_refused")


async def send(
    ctx: ServiceContext, request: Request, case_id: UUID, user: StaffUser, name: str, key: str | None, **body
) -> dict[str, Any]:
    """Give the command to the case's assessment; answer with the case once it shows the change."""
    command = Command(actor=Actor(sub=user.sub, name=user.name), today=clock.today(), **body)
    result = await staff_commands.execute_update(
        ctx.temporal, assessment_workflow_id(case_id), name, command, user=user, key=key,
        result_type=CommandResult, not_open="assessment_not_open", fallback="assessment_refused",
    )
    return await case_after(request, case_id, result.changed_at)


@router.post("/schedule", responses=CASE_ANSWER, summary="Schedule the assessment (date, place or remote, languages)")
async def schedule(
    case_id: UUID, body: ScheduleAssessment, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    return await send(ctx, request, case_id, user, commands.SCHEDULE, idempotency_key, schedule=body)


@router.post("/start", responses=CASE_ANSWER, summary="Start the assessment (CONTRACT §5)")
async def start(
    case_id: UUID, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, body: StartAssessment | None = None, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    return await send(ctx, request, case_id, user, commands.START, idempotency_key, start=body or StartAssessment())


@router.post("/interview", responses=CASE_ANSWER, summary="Record parts of the interview")
async def interview(
    case_id: UUID, body: InterviewRecord, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    return await send(ctx, request, case_id, user, commands.RECORD, idempotency_key, record=body)


@router.post("/complete", responses=CASE_ANSWER, summary="Complete the assessment (CONTRACT §5)")
async def complete(
    case_id: UUID, body: CompleteAssessment, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    return await send(ctx, request, case_id, user, commands.COMPLETE, idempotency_key, complete=body)


@router.post("/corrections", responses=CASE_ANSWER, summary="Correct a completed assessment (kept beside the original)")
async def correct(
    case_id: UUID, body: CorrectAssessment, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    return await send(ctx, request, case_id, user, commands.CORRECT, idempotency_key, correct=body)


@router.get("", summary="The assessment as it stands (from its workflow)", responses={404: {"description": "No assessment for the case"}})
async def get_assessment(case_id: UUID, case: VisibleCase, user: CaseWorker, ctx: Context, session: Session) -> dict[str, Any]:
    """The assessment as it stands; the read is in the access log."""
    handle = staff_commands.temporal(ctx.temporal).get_workflow_handle(assessment_workflow_id(case_id))
    try:
        state = await handle.query(commands.STATE)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise NotFound("assessment_not_found") from None
        raise staff_commands.rpc_refusal(error, "assessment_not_open") from None
    record = RecordRead(kind="assessment", record_id=case_id, municipality_code=case["municipality_code"], client_id=case["client_id"], case_id=case_id)
    log_reads(session, service="assessment", user=user, action="assessment.read", records=[record])
    await session.commit()
    return state if isinstance(state, dict) else {"state": state}

