"""`GET /api/v1/figures/plans`: the plan figures for a period, by a grouping, of the user's own
municipalities only; JSON, or CSV for a spreadsheet (`?format=csv` or `Accept: text/csv`). What
each figure means: docs/figures.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.figures.compute import figures_csv, plan_facts, plan_figures
from services.planning.figures.models import COLUMNS, Grouping, PlanFacts, PlanFigures
from services.planning.models import IntegrationPlan
from shared import clock
from shared.auth import StaffUser, require_role, scoped
from shared.i18n import negotiate, translate
from shared.refusals import Refused
from shared.service import ServiceContext, context_dependency, session_dependency

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

Context = Annotated[ServiceContext, Depends(context_dependency("planning"))]
Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]
Staff = Annotated[StaffUser, require_role("caseworker", "coordinator")]
CSV = "text/csv"


def _period(
    period_from: Annotated[date | None, Query(alias="from", description="first day (default: 1 January of this year)")] = None,
    period_to: Annotated[date | None, Query(alias="to", description="last day (default: today)")] = None,
) -> tuple[date, date]:
    today = clock.today()
    period_from = period_from or date(today.year, 1, 1)
    period_to = period_to or today
    if period_from > period_to:
        raise Refused("figures_period_reversed", status=422, period_from=period_from.isoformat(), period_to=period_to.isoformat())
    return period_from, period_to


Period = Annotated[tuple[date, date], Depends(_period)]


async def facts_in(session: AsyncSession, ctx: ServiceContext, user: StaffUser, period_from: date, period_to: date) -> list[PlanFacts]:
    """The user's municipalities' plans that were made, ran or ended in the period (a measure of
    a plan counts by its own days: the plan must have been made by the period's end)."""
    statement = scoped(select(IntegrationPlan), IntegrationPlan.municipality_code, user).where(
        col(IntegrationPlan.plan_on).is_not(None),
        col(IntegrationPlan.plan_on) <= period_to,
    )
    rows = (await session.exec(statement)).all()
    return [plan_facts(row.record, ctx.policy.for_municipality(row.municipality_code).integration_training_target_cefr) for row in rows]


@router.get(
    "/plans",
    response_model=PlanFigures,
    response_model_by_alias=True,
    summary="Integration plan figures for a period, by group (JSON, or CSV for a spreadsheet)",
    responses={
        200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "The figures per group and in total"},
        403: {"description": "Only caseworkers and coordinators see figures"},
        422: {"description": "A bad date or grouping, or `from` after `to`"},
    },
)
async def plan_figures_route(
    request: Request,
    session: Session,
    ctx: Context,
    user: Staff,
    period: Period,
    by: Grouping = Grouping.municipality,
    format: Annotated[Literal["json", "csv"] | None, Query(description="`csv`: the same figures as a CSV file (also with `Accept: text/csv`)")] = None,
):
    period_from, period_to = period
    figures = plan_figures(await facts_in(session, ctx, user, period_from, period_to), period_from=period_from, period_to=period_to, by=by)
    wants_csv = format == "csv" or (format is None and CSV in request.headers.get("accept", ""))
    if not wants_csv:
        return JSONResponse(figures.model_dump(mode="json", by_alias=True))
    language = negotiate(request.headers.get("accept-language"))
    headings = {column: translate(f"figures.plans.column.{column}", language) for column in COLUMNS}
    name = f"plan-figures_{by.value}_{period_from.isoformat()}_{period_to.isoformat()}.csv"
    return Response(
        figures_csv(figures, headings),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Content-Language": language},
    )
