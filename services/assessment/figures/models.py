"""The figures' schemas: one row of plain data per assessment in, one row of figures per group out.
The groupings and the period's frame are the plan figures' too (shared/figures.py)."""

from __future__ import annotations

from datetime import date

from typing import ClassVar

from pydantic import Field

from shared.figures import UNKNOWN, FigureRow, GroupedFacts, Grouping, PeriodFigures

__all__ = ["COLUMNS", "UNKNOWN", "AssessmentFacts", "AssessmentFigures", "GroupFigures", "Grouping"]


class AssessmentFacts(GroupedFacts):
    """What the figures need of one assessment besides its groups: the day its client became a
    client, its start deadline, and the days it started and was completed (None: not yet)."""

    became_client_on: date
    due_on: date
    started_on: date | None = None
    completed_on: date | None = None


class GroupFigures(FigureRow):
    # started_within_deadline is part of started; the days and the share are worked out from counts
    PARTS: ClassVar[dict[str, tuple[str, ...]]] = {"started": ("started_within_deadline",)}
    DERIVED: ClassVar[dict[str, tuple[str, ...]]] = {
        "median_days_to_start": ("started",), "average_days_to_start": ("started",),
        "median_days_to_completion": ("completed",), "average_days_to_completion": ("completed",),
        "share_started_within_deadline": ("started", "started_within_deadline"),
    }

    group: str = Field(description="the group's code (a municipality code, residence basis, gender, language code or plan type; `unknown` when not reported); `all` for the total")
    became_clients: int | None = Field(description="clients who became clients in the period")
    started: int | None = Field(description="assessments started in the period")
    completed: int | None = Field(description="assessments completed in the period")
    median_days_to_start: float | None = Field(description="of the assessments started in the period: days from becoming a client to the start, median")
    average_days_to_start: float | None = Field(description="the same, average (one decimal)")
    median_days_to_completion: float | None = Field(description="of the assessments completed in the period: days from becoming a client to completion, median")
    average_days_to_completion: float | None = Field(description="the same, average (one decimal)")
    started_within_deadline: int | None = Field(description="of the assessments started in the period: how many started on or before their deadline")
    share_started_within_deadline: float | None = Field(description="started_within_deadline / started, 0–1 (three decimals); null when none started")


class AssessmentFigures(PeriodFigures[GroupFigures]):
    pass


COLUMNS = tuple(name for name in GroupFigures.model_fields if name not in ("across", "hidden"))
