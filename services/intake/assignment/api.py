"""Who has a case (CONTRACT §3 "assignee"). Thin: authorise, call service.py, answer with the case
as `GET /api/v1/cases/{case_id}` shows it right after. Roles: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from services.intake.assignment import service
from shared.auth import StaffUser, require_role
from shared.cases import CheckedCase, case_after
from shared.service import ServiceContext, context_dependency

router = APIRouter(prefix="/api/v1/cases/{case_id}/assignee", tags=["assignment"])

Context = Annotated[ServiceContext, Depends(context_dependency("intake"))]
Coordinator = Annotated[StaffUser, require_role("coordinator")]
Caseworker = Annotated[StaffUser, require_role("caseworker")]
CASE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The case, exactly as `GET /api/v1/cases/{case_id}` shows it after the change"},
    403: {"description": "The user's role may not do this"},
    404: {"description": "No such case, or not of the user's municipalities"},
}


class Assignee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=200, description="the caseworker's `sub` (as in their token)")
    name: str = Field(min_length=1, max_length=200, description="the caseworker's name, as staff read it")


@router.put("", responses=CASE_ANSWER, summary="Assign the case to a caseworker (coordinator)")
async def assign(case_id: UUID, body: Assignee, request: Request, case: CheckedCase, user: Coordinator, ctx: Context) -> dict[str, Any]:
    async with ctx.db.session() as session:
        changed = await service.assign(session, user=user, case_id=case_id, sub=body.sub, name=body.name)
        await session.commit()
    return await case_after(request, case_id, changed.updated_at)


@router.post(
    "/take",
    responses={**CASE_ANSWER, 409: {"description": "Somebody already has the case"}},
    summary="Take an unassigned case (caseworker)",
)
async def take(case_id: UUID, request: Request, case: CheckedCase, user: Caseworker, ctx: Context) -> dict[str, Any]:
    async with ctx.db.session() as session:
        changed = await service.take(session, user=user, case_id=case_id)
        await session.commit()
    return await case_after(request, case_id, changed.updated_at)


@router.delete("", responses=CASE_ANSWER, summary="Take the case back from its assignee (coordinator)")
async def unassign(case_id: UUID, request: Request, case: CheckedCase, user: Coordinator, ctx: Context) -> dict[str, Any]:
    async with ctx.db.session() as session:
        changed = await service.unassign(session, user=user, case_id=case_id)
        await session.commit()
    return await case_after(request, case_id, changed.updated_at)
