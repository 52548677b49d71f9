"""`GET /api/v1/figures/assessments`: the assessment figures for a period, by a grouping, of the
user's own municipalities only; JSON, or CSV for a spreadsheet (`?format=csv` or
`Accept: text/csv`). What each figure means: docs/figures.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.figures.compute import assessment_figures
from services.assessment.figures.models import AssessmentFacts, AssessmentFigures, Grouping
from services.assessment.models import Assessment
from shared.auth import StaffUser, require_role, scoped
from shared.figures import RESPONSES, Across, Format, Period, check_groupings, figures_answer, log_figures_query, protect
from shared.service import ServiceContext, context_dependency, session_dependency

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

Context = Annotated[ServiceContext, Depends(context_dependency("assessment"))]
Session = Annotated[AsyncSession, Depends(session_dependency("assessment"))]
Staff = Annotated[StaffUser, require_role("caseworker", "coordinator")]
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
    return [AssessmentFacts.model_validate(row, from_attributes=True) for row in rows]


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
    figures = assessment_figures(facts, period_from=period_from, period_to=period_to, by=by, across=across)
    figures = protect(figures, ctx.policy.default.figures_smallest_cell)
    log_figures_query(session, service="assessment", user=user, action="assessment_figures.query", figures=figures)
    await session.commit()
    return figures_answer(request, figures, format, file_name="assessment-figures", headings="figures.column")
