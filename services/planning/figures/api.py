"""`GET /api/v1/figures/plans`: the plan figures for a period, by a grouping, of the user's own
municipalities only; JSON, or CSV for a spreadsheet (`?format=csv` or `Accept: text/csv`). What
each figure means: docs/figures.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.figures.compute import measure_figures, measures_of, plan_facts, plan_figures, plan_series
from services.planning.figures.models import Grouping, MeasureFigures, MeasureGroupFigures, PlanFacts, PlanFigures, PlanGroupFigures
from services.planning.models import IntegrationPlan, PlanFigureTarget
from shared import clock
from shared.auth import StaffUser, require_role, scoped
from shared.figures import CSV, look_ahead, months_ahead, months_back, protect
from shared.figures_answer import RESPONSES, Across, FigureReader, Format, Period, check_groupings
from shared.service import ServiceContext, context_dependency, session_dependency
from shared.targets import FigureSource, Target, TargetsSet, figures_response, read_targets, store_targets, targets_from_csv

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

Context = Annotated[ServiceContext, Depends(context_dependency("planning"))]
Session = Annotated[AsyncSession, Depends(session_dependency("planning"))]
Staff = FigureReader  # caseworkers, coordinators, and a region's working group (all of its municipalities)
Coordinator = Annotated[StaffUser, require_role("coordinator")]
# The figures a target may be set for: the counts of the plan and the measure figures
TARGETED = (*PlanGroupFigures.counts(), *MeasureGroupFigures.counts())
PLANS = FigureSource("planning", "plan_figures.query", "plan-figures", "figures.plans.column", PlanFigureTarget)
MEASURES = FigureSource("planning", "measure_figures.query", "measure-figures", "figures.measures.column", PlanFigureTarget)
PLAN_SERIES = FigureSource("planning", "plan_figures.series", "plan-series", "figures.plans.column")


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
    responses=RESPONSES,
)
async def plan_figures_route(
    request: Request, session: Session, ctx: Context, user: Staff, period: Period,
    by: Grouping = Grouping.municipality, across: Across = None, format: Format = None,
):
    """Cells of fewer than five people are hidden, with what would give them away; the query is
    in the access log."""
    check_groupings(by, across)
    period_from, period_to = period
    facts = await facts_in(session, ctx, user, period_from, period_to)
    smallest = ctx.policy.default.figures_smallest_cell
    figures = protect(plan_figures(facts, period_from=period_from, period_to=period_to, by=by, across=across), smallest)
    by_municipality = protect(plan_figures(facts, period_from=period_from, period_to=period_to, by=Grouping.municipality), smallest)
    return await figures_response(request, session, user, PLANS, figures, format, by_municipality=by_municipality)


@router.get(
    "/measures",
    response_model=MeasureFigures,
    response_model_by_alias=True,
    summary="The plans' measures for a period, by kind, provider or client group (JSON, or CSV for a spreadsheet)",
    responses=RESPONSES,
)
async def measure_figures_route(
    request: Request, session: Session, ctx: Context, user: Staff, period: Period,
    by: Grouping = Grouping.measure_kind, across: Across = None, format: Format = None,
):
    """Measures started, completed and interrupted, and their hours; cells of fewer than five are
    hidden, with what would give them away; the query is in the access log."""
    check_groupings(by, across, allowed=Grouping)
    period_from, period_to = period
    facts = measures_of(await facts_in(session, ctx, user, period_from, period_to))
    smallest = ctx.policy.default.figures_smallest_cell
    figures = protect(measure_figures(facts, period_from=period_from, period_to=period_to, by=by, across=across), smallest)
    by_municipality = protect(measure_figures(facts, period_from=period_from, period_to=period_to, by=Grouping.municipality), smallest)
    return await figures_response(request, session, user, MEASURES, figures, format, by_municipality=by_municipality)


@router.get("/plans/targets", response_model=list[Target], response_model_by_alias=True, summary="The targets set for the plan and measure figures of a period")
async def plan_targets(session: Session, user: Staff, period: Period):
    return await read_targets(session, PlanFigureTarget, user, period)


@router.put("/plans/targets", response_model=TargetsSet, summary="Set targets for the plan and measure figures (coordinators)")
async def set_plan_targets(session: Session, user: Coordinator, targets: list[Target]):
    """Each target replaces the one of the same municipality, figure and period."""
    return await store_targets(session, PlanFigureTarget, user, targets, TARGETED)


@router.post(
    "/plans/targets/import", response_model=TargetsSet, summary="Set targets for the plan and measure figures from a CSV file (coordinators)",
    openapi_extra={"requestBody": {"content": {CSV: {"schema": {"type": "string"}}}}},
)
async def import_plan_targets(session: Session, user: Coordinator, body: Annotated[bytes, Body(media_type=CSV)]):
    """`municipality_code;figure;from;to;target`, a target per line (docs/figures.md)."""
    return await store_targets(session, PlanFigureTarget, user, targets_from_csv(body), TARGETED, from_file=True)


SERIES_MONTHS = 24  # the monthly series: this month and the 23 before it
# The plan's statutory deadlines in its record, and the field saying each is met
DEADLINES = {
    "plan_start": ("plan_start_due_on", "plan_on"),
    "plan_referral": ("referral_due_on", "referral_met_on"),
    "plan_review": ("review_due_on", None),
    "plan_end": ("ends_on", "ended_on"),
}


async def deadlines_due(session: AsyncSession, user: StaffUser, first: date, last: date) -> dict[str, list[tuple[str, date]]]:
    """The user's municipalities' plans still running: each deadline not met yet falling due between these days."""
    statement = scoped(select(IntegrationPlan), IntegrationPlan.municipality_code, user).where(col(IntegrationPlan.status).in_(("awaiting", "active")))
    dues: dict[str, list[tuple[str, date]]] = {what: [] for what in DEADLINES}
    for row in (await session.exec(statement)).all():
        for what, (due_field, met_field) in DEADLINES.items():
            due = row.record.get(due_field)
            if due and not (met_field and row.record.get(met_field)) and first <= date.fromisoformat(str(due)) <= last:
                dues[what].append((row.municipality_code, date.fromisoformat(str(due))))
    return dues


@router.get(
    "/plans/series",
    response_model=PlanFigures,
    response_model_by_alias=True,
    summary="The plan figures month by month for the last 24 months, and the plan deadlines falling due in the next three",
    responses=RESPONSES,
)
async def plan_series_route(
    request: Request, session: Session, ctx: Context, user: Staff, by: Grouping = Grouping.municipality, format: Format = None,
):
    """A cross-tab of the grouping and the months (`across` is `month`), hidden as any other;
    `ahead`: the plans' deadlines falling due this month and the next two, per municipality."""
    check_groupings(by, None)
    months, coming = months_back(clock.today(), SERIES_MONTHS), months_ahead(clock.today())
    smallest = ctx.policy.default.figures_smallest_cell
    facts = await facts_in(session, ctx, user, months[0][0], months[-1][1])
    series = protect(plan_series(facts, months=months, by=by), smallest)
    dues = await deadlines_due(session, user, coming[0][0], coming[-1][1])
    ahead = [row for what, items in dues.items() for row in look_ahead(what, items, coming, smallest)]
    return await figures_response(request, session, user, PLAN_SERIES, series.model_copy(update={"ahead": ahead}), format)
