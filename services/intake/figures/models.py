"""The recruitment figures' schemas: plain facts per notice in, one row of figures per group out."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from shared.figures import FigureRow, GroupedFacts, PeriodFigures

__all__ = ["NoticeFacts", "RecruitmentFigures", "RecruitmentGroupFigures"]


class NoticeFacts(GroupedFacts):
    """What the figures need of one notice: its employer and the day it was received (Finnish time)."""

    employer_id: UUID
    received_on: date


class RecruitmentGroupFigures(FigureRow):
    group: str = Field(description="the destination municipality's code; `all` for the total")
    notices_received: int | None = Field(description="recruitment notices received in the period")
    employers_involved: int | None = Field(description="employers who sent any of them (one employer counts once per group)")


class RecruitmentFigures(PeriodFigures[RecruitmentGroupFigures]):
    pass
