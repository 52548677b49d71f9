"""The triage queue (clients whose target group is unclear) and the staff decision on a client's
target group. Thin: authorise, call service.py. Roles: docs/roles.md."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.intake.dependencies import CaseStaff, IntakeContext, Session
from services.intake.triage import service
from services.intake.triage.models import TargetGroupDecision, TriageItem
from shared.access import RecordRead, log_reads
from shared.auth import CurrentStaff
from shared.cases import VisibleCase, case_after
from shared.pagination import Page, PageParams
from shared.staff_commands import CASE_ANSWER

router = APIRouter(prefix="/api/v1", tags=["target groups (municipal staff)"])


@router.get("/municipal/triage", response_model=Page[TriageItem])
async def list_triage(user: CurrentStaff, session: Session, pagination: PageParams):
    """Clients waiting for the staff decision on their target group (`needs_triage`), the
    earliest decision due first. Each client listed is in the access log."""
    page = await service.list_triage(session, user=user, pagination=pagination)
    records = [
        RecordRead(kind="client", record_id=item.client_id, municipality_code=item.municipality_code,
                   client_id=item.client_id, case_id=item.case_id)
        for item in page.items
    ]
    log_reads(session, service="intake", user=user, action="triage.list", records=records)
    await session.commit()
    return page


@router.post(
    "/cases/{case_id}/target-group",
    responses={**CASE_ANSWER, 409: {"description": "The case is past deciding (its path runs, or it is closed), or the time limit stands"}},
    summary="Decide the client's target group, with the reason: the statutory clock starts, or guidance is offered",
)
async def decide_target_group(
    case_id: UUID, body: TargetGroupDecision, request: Request, visible: VisibleCase, user: CaseStaff, session: Session,
    ctx: IntakeContext,
) -> dict[str, Any]:
    case = await service.decide_target_group(session, user=user, case_id=case_id, decision=body, policy=ctx.policy)
    changed_at = case.updated_at
    await session.commit()
    return await case_after(request, case_id, changed_at)
