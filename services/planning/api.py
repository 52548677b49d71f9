"""The integration plan's staff commands (CONTRACT §5 `plan`, `plan/reviews`, and the project's
own: measures, extension) and the plan as it stands. Thin: authorise, validate the body with the
models of `commands.py`, send the command to the case's plan workflow as a Temporal update (its
validator refuses what does not fit, with the reason), answer with the case as
`GET /api/v1/cases/{case_id}` shows it right after.

Who may do what: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import commands, service
from services.planning.command_checks import check_make, check_review
from services.planning.commands import Command, CommandResult, ExtendPlan, MakePlan, MeasureBody, MeasureChange, MeasureFields, ReviewPlan
from shared.access import RecordRead, log_reads
from shared.cases import VisibleCase, read_case
from shared.contracts import plan_workflow_id
from shared.refusals import found
from shared.service import ServiceContext, context_dependency, session_dependency
from shared.staff_commands import CASE_ANSWER, CaseWorker, CommandRoute, IdempotencyKey, StaffCommands

router = APIRouter(prefix="/api/v1/cases/{case_id}/plan", tags=["planning"])

Context = Annotated[ServiceContext, Depends(context_dependency("planning"))]
Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]

PLAN_COMMANDS = StaffCommands(plan_workflow_id, Command, CommandResult, not_open="plan_not_open", fallback="plan_refused", context=Context)
PLAN_COMMANDS.add_routes(router, [
    CommandRoute("make", "", "Draw up the integration plan (CONTRACT §5)", commands.MAKE, "make", MakePlan, check=check_make),
    CommandRoute("review", "/reviews", "Record a review of the plan (CONTRACT §5)", commands.REVIEW, "review", ReviewPlan,
                 optional_body=True, check=check_review),
    CommandRoute("add_measure", "/measures", "Add a measure to the plan", commands.ADD_MEASURE, "measure", MeasureBody),
    CommandRoute("extend", "/extensions", "Record a decision extending the plan (within the policy's total, or beyond it by a decision that says so, up to its own cap)", commands.EXTEND, "extend", ExtendPlan),
])


@router.patch("/measures/{measure_id}", responses=CASE_ANSWER, summary="Change a measure (status, dates, provider, outcome…)")
async def update_measure(
    case_id: UUID, measure_id: UUID, body: MeasureFields, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    change = MeasureChange(measure_id=measure_id, **body.model_dump(exclude_unset=True))
    return await PLAN_COMMANDS.send(ctx, request, case_id, user, commands.UPDATE_MEASURE, idempotency_key, change=change)


@router.get("", summary="The plan: type, period, measures, reviews, extensions", responses={404: {"description": "No plan for the case"}})
async def get_plan(case_id: UUID, case: VisibleCase, user: CaseWorker, session: Session) -> dict[str, Any]:
    """The plan; the read is in the access log."""
    row = found(await service.plan_of_case(session, case_id), "plan_not_found")
    log_reads(session, service="planning", user=user, action="plan.read", records=[plan_record(row.id, case)])
    await session.commit()
    return row.record


def plan_record(plan_id: UUID, case: dict[str, Any]) -> RecordRead:
    """A plan shown, in the access log of its case's municipality (as the case view has it now)."""
    return RecordRead(kind="plan", record_id=plan_id, municipality_code=case["municipality_code"], client_id=case["client_id"], case_id=case["case_id"])


@router.get("/family", summary="The family view: this plan and the household members' plans linked to it (those the user may see)",
            responses={404: {"description": "No plan for the case"}})
async def family(case_id: UUID, request: Request, case: VisibleCase, user: CaseWorker, session: Session) -> dict[str, Any]:
    plan = found(await service.plan_of_case(session, case_id), "plan_not_found")
    shown = [(row, member) for row in await service.family_plans(session, plan) if (member := await read_case(request, row.case_id)) is not None]
    records = [plan_record(plan.id, case), *(plan_record(row.id, member) for row, member in shown)]
    log_reads(session, service="planning", user=user, action="plan.family", records=records)
    await session.commit()
    return {"case_id": case_id, "plan": plan.record, "members": [row.record for row, _member in shown]}
