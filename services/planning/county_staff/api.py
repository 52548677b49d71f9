"""The wellbeing services county's staff list: administrators send it whole (from the identity
provider's group); the municipality's staff read the list of the county of a case's municipality,
to choose the participant of a multi-sectoral plan from it. Roles: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.county_staff import service
from services.planning.county_staff.models import StaffList
from shared.auth import StaffUser, require_role
from shared.cases import VisibleCase
from shared.service import session_dependency
from shared.staff_commands import CaseWorker

router = APIRouter(tags=["wellbeing services county"])

Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]
Admin = Annotated[StaffUser, require_role("admin")]
County = Annotated[str, Path(min_length=1, max_length=200, description="Finnish name, e.g. Kanta-Hämeen hyvinvointialue")]


@router.put("/api/v1/county/staff/{county}", summary="Replace a wellbeing services county's staff list (administrators)")
async def replace_staff(county: County, body: StaffList, user: Admin, session: Session) -> dict[str, Any]:
    service.check_admin_of(user, service.known_county(county))
    count = await service.replace_list(session, county, body.staff)
    await session.commit()
    return {"county": county, "staff": count}


@router.get(
    "/api/v1/cases/{case_id}/plan/county-staff",
    summary="The staff of the wellbeing services county of the case's municipality: who may take part in its multi-sectoral plan",
    responses={404: {"description": "No such case, or not of the user's municipalities"}},
)
async def county_staff(case_id: UUID, case: VisibleCase, user: CaseWorker, session: Session) -> dict[str, Any]:
    county = service.county_of(case["municipality_code"])
    staff = await service.staff_of(session, county) if county else []
    return {"county": county, "staff": [{"sub": m.sub, "name": m.name, "title": m.title} for m in staff]}
