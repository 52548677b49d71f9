"""The wellbeing services county's read-only view of the multi-sectoral plans of its own county
(role `wellbeing_county`, docs/roles.md). Another county's plan, or a plan that is not
multi-sectoral, answers 404; the county changes nothing here. Every plan shown is in the access log."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.county import service
from services.planning.county_staff import service as county_staff
from services.planning.models import IntegrationPlan
from shared import municipalities
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser, require_role
from shared.pagination import PageParams
from shared.refusals import found
from shared.service import session_dependency

router = APIRouter(prefix="/api/v1/county/plans", tags=["wellbeing services county"])

Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]
County = Annotated[StaffUser, require_role("wellbeing_county")]


def _read(plan: IntegrationPlan) -> RecordRead:
    return RecordRead(kind="plan", record_id=plan.id, municipality_code=plan.municipality_code, client_id=plan.client_id, case_id=plan.case_id)


def _shown(plan: IntegrationPlan) -> dict[str, Any]:
    return {
        "case_id": plan.case_id, "client_id": plan.client_id, "municipality_code": plan.municipality_code,
        **municipalities.names(plan.municipality_code),
        "plan": plan.record,
    }


@router.get("", summary="The multi-sectoral plans of the county's municipalities (read-only)")
async def list_county_plans(user: County, session: Session, pagination: PageParams) -> dict[str, Any]:
    page = await service.county_plans(session, user=user, pagination=pagination)
    await county_staff.seen(session, user)
    log_reads(session, service="planning", user=user, action="county.plans", records=[_read(plan) for plan in page.items])
    await session.commit()
    return {**page.model_dump(exclude={"items"}), "items": [_shown(plan) for plan in page.items]}


@router.get("/{case_id}", summary="A multi-sectoral plan of the county's municipalities (read-only)",
            responses={404: {"description": "No multi-sectoral plan of the county's municipalities for the case"}})
async def get_county_plan(case_id: UUID, user: County, session: Session) -> dict[str, Any]:
    plan = found(await service.county_plan(session, user=user, case_id=case_id), "plan_not_found")
    await county_staff.seen(session, user)
    log_reads(session, service="planning", user=user, action="county.plan.read", records=[_read(plan)])
    await session.commit()
    return _shown(plan)
