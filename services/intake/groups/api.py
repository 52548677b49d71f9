"""The staff decision on the groups the projects reach (docs/client-groups.md). Roles: docs/roles.md."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.intake.dependencies import CaseStaff, Session
from services.intake.groups import service
from services.intake.groups.service import ClientGroupsDecision
from shared.cases import VisibleCase, case_after
from shared.staff_commands import CASE_ANSWER

router = APIRouter(prefix="/api/v1", tags=["target groups (municipal staff)"])


@router.put(
    "/cases/{case_id}/client-groups",
    responses={**CASE_ANSWER, 409: {"description": "The client's groups are that already"}},
    summary="Record the groups the projects reach that the client is in (young people come from the birth date), with the reason",
)
async def decide_groups(
    case_id: UUID, body: ClientGroupsDecision, request: Request, visible: VisibleCase, user: CaseStaff, session: Session
) -> dict[str, Any]:
    case = await service.decide_groups(session, user=user, case_id=case_id, decision=body)
    changed_at = case.updated_at
    await session.commit()
    return await case_after(request, case_id, changed_at)
