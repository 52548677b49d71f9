"""The multi-sectoral plans a wellbeing services county takes part in: of its own county's
municipalities (shared/data's county of each municipality) only."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.models import IntegrationPlan
from shared.auth import StaffUser
from shared.pagination import Page, Pagination, paginate

MULTI_SECTORAL = "multi_sectoral"


def _county_plans(user: StaffUser):
    return select(IntegrationPlan).where(
        IntegrationPlan.type == MULTI_SECTORAL, col(IntegrationPlan.municipality_code).in_(user.county_municipalities())
    )


async def county_plans(session: AsyncSession, *, user: StaffUser, pagination: Pagination) -> Page[IntegrationPlan]:
    return await paginate(session, _county_plans(user).order_by(IntegrationPlan.municipality_code, IntegrationPlan.case_id), pagination)


async def county_plan(session: AsyncSession, *, user: StaffUser, case_id: UUID) -> IntegrationPlan | None:
    """The case's plan when it is multi-sectoral and of the county's municipalities; else None."""
    return (await session.exec(_county_plans(user).where(IntegrationPlan.case_id == case_id))).first()
