"""The multi-sectoral assessments a wellbeing services county takes part in: those that lead to
a multi-sectoral plan or name the county's participant, of its own county's municipalities only."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import Assessment
from shared.auth import StaffUser


async def county_assessment(session: AsyncSession, *, user: StaffUser, case_id: UUID) -> Assessment | None:
    """The case's latest such assessment (a move within the county leaves one per municipality)."""
    statement = select(Assessment).where(
        Assessment.case_id == case_id,
        col(Assessment.municipality_code).in_(user.county_municipalities()),
        or_(Assessment.plan_type == "multi_sectoral", col(Assessment.wellbeing_county_participant).is_not(None)),
    )
    return (await session.exec(statement.order_by(col(Assessment.updated_at).desc()))).first()
