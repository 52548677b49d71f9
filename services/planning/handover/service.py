"""The planning service's rows of the Koto-AJ data set (shared/koto_aj.py), from its own table:
the plans of the given clients written in the period, and each one's measures, reviews and
extensions, every one as it is now (the ledger leaves out what was handed over unchanged)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.models import IntegrationPlan
from services.planning.records import AWAITING, PlanRecord
from shared.koto_aj import ExtensionData, MeasureData, PlanData, ReviewData, Row


async def plan_rows(session: AsyncSession, *, start: datetime, end: datetime, clients: set[UUID]) -> list[Row]:
    query = select(IntegrationPlan).where(IntegrationPlan.updated_at >= start, IntegrationPlan.updated_at < end)
    rows = []
    for table_row in (await session.exec(query)).all():
        plan = PlanRecord.model_validate(table_row.record)
        if plan.client_id not in clients or plan.status == AWAITING:
            continue  # no plan made yet
        whose = {"client_id": plan.client_id, "municipality_code": plan.municipality_code}
        data = PlanData(
            plan_id=plan.plan_id, case_id=plan.case_id, type=plan.type, status=plan.status, plan_on=plan.plan_on,
            first_plan_on=plan.first_plan_on, ends_on=plan.ends_on, referral_met_on=plan.referral_met_on,
            wellbeing_county_participant=plan.wellbeing_county_participant, family_members=plan.family_members,
            goals=plan.goals, ended_on=plan.ended_on, end_reason=plan.end_reason, **whose,
        )
        rows.append(Row.of("plan", plan.plan_id, data, case_id=plan.case_id))
        for measure in plan.measures:
            fields = measure.model_dump(include=set(MeasureData.model_fields) - {"plan_id", "client_id", "municipality_code"})
            rows.append(Row.of("measure", measure.measure_id, MeasureData(plan_id=plan.plan_id, **fields, **whose), case_id=plan.case_id))
        for review in plan.reviews:
            data = ReviewData(
                review_id=review.review_id, plan_id=plan.plan_id, reviewed_on=review.reviewed_on, notes=review.notes,
                next_review_on=review.next_review_on, wellbeing_county_participant=review.wellbeing_county_participant, **whose,
            )
            rows.append(Row.of("review", review.review_id, data, case_id=plan.case_id))
        for extension in plan.extensions:
            data = ExtensionData(
                plan_id=plan.plan_id, decided_on=extension.decided_on, from_ends_on=extension.from_ends_on,
                ends_on=extension.ends_on, reason=extension.reason, beyond_total=extension.beyond_total, **whose,
            )
            rows.append(Row.of("extension", f"{plan.plan_id}:{extension.decided_on}:{extension.from_ends_on}", data, case_id=plan.case_id))
    return rows
