"""The assessment service's rows of the Koto-AJ data set (shared/koto_aj.py), from its own table:
the assessments of the given clients written (started, completed, corrected, cancelled) in the
period, each as it is now."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.models import Assessment, AssessmentCorrection
from shared.koto_aj import AssessmentData, Row


async def assessment_rows(session: AsyncSession, *, start: datetime, end: datetime, clients: set[UUID]) -> list[Row]:
    query = select(Assessment).where(Assessment.updated_at >= start, Assessment.updated_at < end)
    rows = []
    for assessment in (await session.exec(query)).all():
        if assessment.client_id not in clients or assessment.status == "awaiting":
            continue  # nothing recorded yet: an assessment is handed over once it has started
        corrections = (
            await session.exec(select(func.count()).select_from(AssessmentCorrection).where(AssessmentCorrection.assessment_id == assessment.id))
        ).one()
        schedule = assessment.schedule or {}
        data = AssessmentData(
            assessment_id=assessment.id, case_id=assessment.case_id, client_id=assessment.client_id,
            municipality_code=assessment.municipality_code, status=assessment.status, became_client_on=assessment.became_client_on,
            started_on=assessment.started_on, completed_on=assessment.completed_on,
            multi_sectoral=assessment.plan_type == "multi_sectoral" or assessment.wellbeing_county_participant is not None,
            wellbeing_county_participant=assessment.wellbeing_county_participant, plan_needed=assessment.plan_needed,
            plan_type=assessment.plan_type, no_plan_reason=assessment.no_plan_reason,
            interview_language=schedule.get("interview_language"), results=dict(assessment.parts or {}),
            corrections=corrections, cancel_reason=assessment.cancel_reason,
        )
        rows.append(Row.of("assessment", assessment.id, data, case_id=assessment.case_id))
    return rows
