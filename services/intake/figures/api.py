"""`GET /api/v1/figures/recruitment`: recruitment notices received and the employers involved per
destination municipality, of the user's (or their region's) municipalities, with the recruits
expected to arrive in the coming three months; JSON, CSV or a workbook. docs/figures.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.figures.compute import recruitment_figures
from services.intake.figures.models import NoticeFacts, RecruitmentFigures
from services.intake.notices.models import RecruitmentNotice
from shared import clock
from shared.auth import StaffUser, scoped
from shared.figures import look_ahead, months_ahead, protect
from shared.figures_answer import RESPONSES, FigureReader, Format, Period
from shared.service import ServiceContext, context_dependency, session_dependency
from shared.targets import FigureSource, figures_response

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

Context = Annotated[ServiceContext, Depends(context_dependency("intake"))]
Session = Annotated[AsyncSession, Depends(session_dependency("intake"))]
OPEN = ("received", "acknowledged")  # a notice whose recruit is still expected
RECRUITMENT = FigureSource("intake", "recruitment_figures.query", "recruitment-figures", "figures.recruitment.column")


async def facts_in(session: AsyncSession, user: StaffUser, period_from: date, period_to: date) -> list[NoticeFacts]:
    statement = scoped(
        select(RecruitmentNotice.municipality_code, RecruitmentNotice.employer_id, RecruitmentNotice.created_at),
        RecruitmentNotice.municipality_code, user,
    ).where(col(RecruitmentNotice.created_at) >= clock.start_of_day(period_from), col(RecruitmentNotice.created_at) < clock.end_of_day(period_to))
    return [
        NoticeFacts(municipality_code=code, employer_id=employer_id, received_on=created_at.astimezone(clock.FINNISH_TIME).date())
        for code, employer_id, created_at in (await session.exec(statement)).all()
    ]


async def arrivals_due(session: AsyncSession, user: StaffUser, first: date, last: date) -> list[tuple[str, date]]:
    """The open notices' recruits expected between these days, by destination municipality."""
    statement = scoped(
        select(RecruitmentNotice.municipality_code, RecruitmentNotice.expected_arrival_on), RecruitmentNotice.municipality_code, user,
    ).where(col(RecruitmentNotice.status).in_(OPEN), col(RecruitmentNotice.expected_arrival_on).between(first, last))
    return [(code, day) for code, day in (await session.exec(statement)).all()]


@router.get(
    "/recruitment",
    response_model=RecruitmentFigures,
    response_model_by_alias=True,
    summary="Recruitment notices and employers per municipality, and the recruits expected in the next three months",
    responses=RESPONSES,
)
async def recruitment_figures_route(request: Request, session: Session, ctx: Context, user: FigureReader, period: Period, format: Format = None):
    """Counts under five are hidden, with what would give them away; the query is in the access log."""
    period_from, period_to = period
    smallest = ctx.policy.default.figures_smallest_cell
    figures = protect(recruitment_figures(await facts_in(session, user, period_from, period_to), period_from=period_from, period_to=period_to), smallest)
    coming = months_ahead(clock.today())
    figures = figures.model_copy(update={"ahead": look_ahead("arrival", await arrivals_due(session, user, coming[0][0], coming[-1][1]), coming, smallest)})
    return await figures_response(request, session, user, RECRUITMENT, figures, format)
