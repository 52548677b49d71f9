"""The assessment's staff commands (CONTRACT §5 and the project's own). Thin: authorise, validate
the body with the models of `commands.py`, send the command to the case's assessment workflow as
a Temporal update (its validator refuses what does not fit, with the reason), answer with the case
as `GET /api/v1/cases/{case_id}` shows it right after.

Who may do what: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from services.assessment import commands
from services.assessment.command_checks import check_complete
from services.assessment.commands import (
    Command,
    CommandResult,
    CompleteAssessment,
    CorrectAssessment,
    InterviewRecord,
    ScheduleAssessment,
    StartAssessment,
)
from shared import staff_commands
from shared.access import RecordRead, log_reads
from shared.cases import VisibleCase
from shared.contracts import assessment_workflow_id
from shared.refusals import NotFound, Refused
from shared.service import ServiceContext, context_dependency, session_dependency
from shared.staff_commands import CaseWorker, CommandRoute, StaffCommands

router = APIRouter(prefix="/api/v1/cases/{case_id}/assessment", tags=["assessment"])

Context = Annotated[ServiceContext, Depends(context_dependency("assessment"))]
Session = Annotated[AsyncSession, Depends(session_dependency("assessment"))]

ASSESSMENT_COMMANDS = StaffCommands(assessment_workflow_id, Command, CommandResult, not_open="assessment_not_open", fallback="assessment_refused", context=Context)
ASSESSMENT_COMMANDS.add_routes(router, [
    CommandRoute("schedule", "/schedule", "Schedule the assessment (date, place or remote, languages)",
                 commands.SCHEDULE, "schedule", ScheduleAssessment),
    CommandRoute("start", "/start", "Start the assessment (CONTRACT §5)", commands.START, "start", StartAssessment, optional_body=True),
    CommandRoute("interview", "/interview", "Record parts of the interview", commands.RECORD, "record", InterviewRecord),
    CommandRoute("complete", "/complete", "Complete the assessment (CONTRACT §5)", commands.COMPLETE, "complete", CompleteAssessment, check=check_complete),
    CommandRoute("correct", "/corrections", "Correct a completed assessment (kept beside the original)",
                 commands.CORRECT, "correct", CorrectAssessment),
])


@router.get("", summary="The assessment as it stands (from its workflow)", responses={404: {"description": "No assessment for the case"}})
async def get_assessment(case_id: UUID, case: VisibleCase, user: CaseWorker, ctx: Context, session: Session) -> dict[str, Any]:
    """The assessment as it stands; the read is in the access log."""
    handle = staff_commands.temporal(ctx.temporal).get_workflow_handle(assessment_workflow_id(case_id))
    try:
        state = await handle.query(commands.STATE)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise NotFound("assessment_not_found") from None
        raise staff_commands.rpc_refusal(error, ASSESSMENT_COMMANDS.not_open) from None
    except WorkflowQueryFailedError:
        # The worker could not answer (e.g. the workflow's replay overran its deadline): try again.
        raise Refused("dependency_down", status=503, parts="Temporal (query failed)") from None
    record = RecordRead(kind="assessment", record_id=case_id, municipality_code=case["municipality_code"], client_id=case["client_id"], case_id=case_id)
    log_reads(session, service="assessment", user=user, action="assessment.read", records=[record])
    await session.commit()
    return state if isinstance(state, dict) else {"state": state}

