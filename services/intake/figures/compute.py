"""The recruitment figures from plain data: no database, no clock. A notice counts in the period
it was received in; an employer counts once per group however many notices it sent."""

from __future__ import annotations

from datetime import date
from typing import Iterable

from services.intake.figures.models import NoticeFacts, RecruitmentFigures, RecruitmentGroupFigures
from shared.figures import Grouping, period_figures, within

__all__ = ["recruitment_figures"]


def figures_of(group: str, facts: Iterable[NoticeFacts], period_from: date, period_to: date) -> RecruitmentGroupFigures:
    received = [notice for notice in facts if within(notice.received_on, period_from, period_to)]
    return RecruitmentGroupFigures(
        group=group, notices_received=len(received), employers_involved=len({notice.employer_id for notice in received}),
    )


def _happened(row: RecruitmentGroupFigures) -> bool:
    return bool(row.notices_received)


def recruitment_figures(facts: Iterable[NoticeFacts], *, period_from: date, period_to: date) -> RecruitmentFigures:
    """Per destination municipality and in total."""
    return period_figures(
        RecruitmentFigures, facts, period_from=period_from, period_to=period_to, by=Grouping.municipality,
        figures_of=figures_of, happened=_happened,
    )
