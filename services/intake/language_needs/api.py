"""Staff record a client's interpreter need and integration language. Roles: docs/roles.md."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request

from services.intake.dependencies import CaseStaff, Session
from services.intake.language_needs import service
from services.intake.models import LanguageNeeds
from shared.cases import VisibleCase, case_after
from shared.staff_commands import CASE_ANSWER

router = APIRouter(prefix="/api/v1", tags=["clients (municipal staff)"])


@router.put(
    "/cases/{case_id}/language-needs",
    responses=CASE_ANSWER,
    summary="Record the client's interpreter need (language, dialect) and integration language (fi or sv)",
)
async def put_language_needs(
    case_id: UUID, body: LanguageNeeds, request: Request, visible: VisibleCase, user: CaseStaff, session: Session
) -> dict[str, Any]:
    """Messages to the client fall back to the integration language before the municipality's;
    staff see the need on the case."""
    case = await service.record_language_needs(session, user=user, case_id=case_id, needs=body)
    changed_at = case.updated_at
    await session.commit()
    return await case_after(request, case_id, changed_at)
