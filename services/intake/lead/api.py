"""The staff decision on who leads a client's integration services. Roles: docs/roles.md."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.intake.dependencies import CaseStaff, Session
from services.intake.lead import service
from services.intake.lead.service import LeadDecision
from shared.cases import VisibleCase, case_after
from shared.staff_commands import CASE_ANSWER

router = APIRouter(prefix="/api/v1", tags=["target groups (municipal staff)"])


@router.post(
    "/cases/{case_id}/lead",
    responses={**CASE_ANSWER, 409: {"description": "The lead is that already, or the client is a jobseeker"}},
    summary="Decide who leads the client's integration services, with the reason",
)
async def decide_lead(
    case_id: UUID, body: LeadDecision, request: Request, visible: VisibleCase, user: CaseStaff, session: Session
) -> dict[str, Any]:
    case = await service.decide_lead(session, user=user, case_id=case_id, decision=body)
    changed_at = case.updated_at
    await session.commit()
    return await case_after(request, case_id, changed_at)
