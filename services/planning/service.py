"""The only writers of the planning service's tables (and its workflow signals). Each function works inside the
caller's unit of work; every write is idempotent, as activities and events may come again."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.commands import SERVICE_REPORTED
from services.planning.models import IntegrationPlan, ServiceReportRecord
from services.planning.records import PlanRecord
from shared.clock import now
from shared.contracts import ServiceReport, plan_workflow_id
from shared.rows import put_row
from shared.workflow_commands import signal_workflow


async def record_service_report(session: AsyncSession, report: ServiceReport) -> None:
    """Keep the provider's report and tell the client's plan (after the commit): the plan updates
    the measure of that service code and puts the report on the case's timeline."""
    session.add(ServiceReportRecord(**report.model_dump(), received_at=now()))
    signal_workflow(session, plan_workflow_id(report.case_id), SERVICE_REPORTED, report)


# The plan's fields its table keeps as columns (for lists and figures); the whole plan is in `record`.
PLAN_COLUMNS = {"case_id", "client_id", "municipality_code", "status", "type", "plan_on", "ends_on", "end_reason"}


async def save_plan(session: AsyncSession, record: PlanRecord) -> None:
    """Write the plan as its workflow has it now (the workflow is the one writer of its row)."""
    columns = record.model_dump(include=PLAN_COLUMNS)
    await put_row(session, IntegrationPlan, id=record.plan_id, **columns, record=record.model_dump(mode="json"), updated_at=now())


async def plan_of_case(session: AsyncSession, case_id: UUID) -> IntegrationPlan | None:
    return (await session.exec(select(IntegrationPlan).where(IntegrationPlan.case_id == case_id))).first()


async def family_plans(session: AsyncSession, plan: IntegrationPlan) -> list[IntegrationPlan]:
    """The family's plans: those this plan links, and the family plans of its municipality that
    link this one."""
    linked = [UUID(str(case_id)) for case_id in plan.record.get("family_members") or []]
    others = (await session.exec(select(IntegrationPlan).where(IntegrationPlan.case_id.in_(linked)))).all() if linked else []
    family = select(IntegrationPlan).where(
        IntegrationPlan.type == "family", IntegrationPlan.municipality_code == plan.municipality_code, IntegrationPlan.id != plan.id
    )
    linking = [row for row in (await session.exec(family)).all() if str(plan.case_id) in map(str, row.record.get("family_members") or [])]
    return sorted({row.id: row for row in [*others, *linking] if row.id != plan.id}.values(), key=lambda row: str(row.case_id))
