"""`GET /api/v1/figures/assessments`: the assessment figures for a period, by a grouping, of the
user's own municipalities only; JSON, or CSV for a spreadsheet (`?format=csv` or
`Accept: text/csv`). What each figure means: docs/figures.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.figures.compute import assessment_figures, assessment_series
from services.assessment.figures.models import AssessmentFacts, AssessmentFigures, GroupFigures, Grouping
from services.assessment.models import Assessment, AssessmentFigureTarget
from shared import clock
from shared.auth import StaffUser, require_role, scoped
from shared.figures import CSV, look_ahead, months_ahead, months_back, protect
from shared.figures_answer import RESPONSES, Across, FigureReader, Format, Period, check_groupings
from shared.service import ServiceContext, context_dependency, session_dependency
from shared.targets import FigureSource, Target, TargetsSet, figures_response, read_targets, store_targets, targets_from_csv

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

Context = Annotated[ServiceContext, Depends(context_dependency("assessment"))]
Session = Annotated[AsyncSession, Depends(session_dependency("assessment"))]
Staff = FigureReader  # caseworkers, coordinators, and a region's working group (all of its municipalities)
Coordinator = Annotated[StaffUser, require_role("coordinator")]
ASSESSMENTS = FigureSource("assessment", "assessment_figures.query", "assessment-figures", "figures.column", AssessmentFigureTarget)
SERIES = FigureSource("assessment", "assessment_figures.series", "assessment-series", "figures.column")
SUPERSEDED = "moved"  # an assessment cancelled by a move lives on, re-opened, in the new municipality


async def facts_in(session: AsyncSession, user: StaffUser, period_from: date, period_to: date) -> list[AssessmentFacts]:
    """The user's municipalities' assessments of which something happened in the period."""
    def within(column):
        return col(column).between(period_from, period_to)

    statement = scoped(select(Assessment), Assessment.municipality_code, user).where(
        or_(within(Assessment.became_client_on), within(Assessment.started_on), within(Assessment.completed_on)),
        or_(col(Assessment.cancel_reason).is_(None), Assessment.cancel_reason != SUPERSEDED),
    )
    rows = (await session.exec(statement)).all()
    return [
        # The interpreter booked for the interview: the figures' `interpreter_language` grouping.
        AssessmentFacts.model_validate(row, from_attributes=True).model_copy(update={"interpreter_language": (row.schedule or {}).get("interpreter_language")})
        for row in rows
    ]


@router.get(
    "/assessments",
    response_model=AssessmentFigures,
    response_model_by_alias=True,
    summary="Assessment figures for a period, by group (JSON, or CSV for a spreadsheet)",
    responses=RESPONSES,
)
async def assessment_figures_route(
    request: Request, session: Session, ctx: Context, user: Staff, period: Period,
    by: Grouping = Grouping.municipality, across: Across = None, format: Format = None,
):
    """Cells of fewer than five people are hidden, with what would give them away; the query is
    in the access log."""
    check_groupings(by, across)
    period_from, period_to = period
    facts = await facts_in(session, user, period_from, period_to)
    smallest = ctx.policy.default.figures_smallest_cell
    figures = protect(assessment_figures(facts, period_from=period_from, period_to=period_to, by=by, across=across), smallest)
    by_municipality = protect(assessment_figures(facts, period_from=period_from, period_to=period_to, by=Grouping.municipality), smallest)
    return await figures_response(request, session, user, ASSESSMENTS, figures, format, by_municipality=by_municipality)


@router.get("/assessments/targets", response_model=list[Target], response_model_by_alias=True, summary="The targets set for the assessment figures of a period")
async def assessment_targets(session: Session, user: Staff, period: Period):
    return await read_targets(session, AssessmentFigureTarget, user, period)


@router.put("/assessments/targets", response_model=TargetsSet, summary="Set targets for the assessment figures (coordinators)")
async def set_assessment_targets(session: Session, user: Coordinator, targets: list[Target]):
    """Each target replaces the one of the same municipality, figure and period."""
    return await store_targets(session, AssessmentFigureTarget, user, targets, GroupFigures.counts())


@router.post(
    "/assessments/targets/import", response_model=TargetsSet, summary="Set targets for the assessment figures from a CSV file (coordinators)",
    openapi_extra={"requestBody": {"content": {CSV: {"schema": {"type": "string"}}}}},
)
async def import_assessment_targets(session: Session, user: Coordinator, body: Annotated[bytes, Body(media_type=CSV)]):
    """`municipality_code;figure;from;to;target`, a target per line (docs/figures.md)."""
    return await store_targets(session, AssessmentFigureTarget, user, targets_from_csv(body), GroupFigures.counts(), from_file=True)


SERIES_MONTHS = 24  # the monthly series: this month and the 23 before it


async def starts_due(session: AsyncSession, user: StaffUser, first: date, last: date) -> list[tuple[str, date]]:
    """The user's municipalities' open assessments not started yet whose start falls due between these days."""
    statement = scoped(select(Assessment.municipality_code, Assessment.due_on), Assessment.municipality_code, user).where(
        col(Assessment.started_on).is_(None), col(Assessment.cancel_reason).is_(None), col(Assessment.due_on).between(first, last),
    )
    return [(code, due_on) for code, due_on in (await session.exec(statement)).all()]


@router.get(
    "/assessments/series",
    response_model=AssessmentFigures,
    response_model_by_alias=True,
    summary="The assessment figures month by month for the last 24 months, and the starts falling due in the next three",
    responses=RESPONSES,
)
async def assessment_series_route(
    request: Request, session: Session, ctx: Context, user: Staff, by: Grouping = Grouping.municipality, format: Format = None,
):
    """A cross-tab of the grouping and the months (`across` is `month`), hidden as any other;
    `ahead`: the assessments whose start falls due this month and the next two, per municipality."""
    check_groupings(by, None)
    months, coming = months_back(clock.today(), SERIES_MONTHS), months_ahead(clock.today())
    smallest = ctx.policy.default.figures_smallest_cell
    facts = await facts_in(session, user, months[0][0], months[-1][1])
    series = protect(assessment_series(facts, months=months, by=by), smallest)
    dues = await starts_due(session, user, coming[0][0], coming[-1][1])
    series = series.model_copy(update={"ahead": look_ahead("assessment_start", dues, coming, smallest)})
    return await figures_response(request, session, user, SERIES, series, format)
