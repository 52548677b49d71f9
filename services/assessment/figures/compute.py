"""The figures from plain data: no database, no clock (unit-tested on lists of facts).

An assessment counts in a period for what happened in it: `became_clients` by the day its client
became a client, `started` (and the days to start, and whether it started within the deadline)
by its start day, `completed` (and the days to completion) by its completion day. So a period's
figures are the same whenever they are asked, once the period is over. The grouping and the CSV
file are the plan figures' too (shared/figures.py).
"""

from __future__ import annotations

from datetime import date
from statistics import mean, median
from typing import Iterable

from services.assessment.figures.models import AssessmentFacts, AssessmentFigures, GroupFigures, Grouping
from shared.figures import monthly_series, period_figures, share, within
from shared.figures_answer import figures_csv

__all__ = ["assessment_figures", "assessment_series", "figures_csv", "figures_of"]


def _days(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return float(median(values)), round(mean(values), 1)


def figures_of(group: str, facts: Iterable[AssessmentFacts], period_from: date, period_to: date) -> GroupFigures:
    facts = list(facts)
    became = [item for item in facts if within(item.became_client_on, period_from, period_to)]
    started = [item for item in facts if within(item.started_on, period_from, period_to)]
    completed = [item for item in facts if within(item.completed_on, period_from, period_to)]
    median_start, average_start = _days([(item.started_on - item.became_client_on).days for item in started])  # type: ignore[operator]
    median_done, average_done = _days([(item.completed_on - item.became_client_on).days for item in completed])  # type: ignore[operator]
    in_time = sum(1 for item in started if item.started_on <= item.due_on)  # type: ignore[operator]
    return GroupFigures(
        group=group,
        became_clients=len(became),
        started=len(started),
        completed=len(completed),
        median_days_to_start=median_start,
        average_days_to_start=average_start,
        median_days_to_completion=median_done,
        average_days_to_completion=average_done,
        started_within_deadline=in_time,
        share_started_within_deadline=share(in_time, len(started)),
    )


def _happened(row: GroupFigures) -> bool:
    return bool(row.became_clients or row.started or row.completed)


def assessment_figures(
    facts: Iterable[AssessmentFacts], *, period_from: date, period_to: date, by: Grouping, across: Grouping | None = None
) -> AssessmentFigures:
    """Per group (sorted by code, `unknown` last) and in total, and with `across` per cell of the
    two groupings. A group appears when something of it happened in the period."""
    return period_figures(
        AssessmentFigures, facts, period_from=period_from, period_to=period_to, by=by, across=across, figures_of=figures_of, happened=_happened
    )


def assessment_series(facts: Iterable[AssessmentFacts], *, months: list[tuple[date, date]], by: Grouping) -> AssessmentFigures:
    """Month by month: per group and month, per group, per month and in total."""
    return monthly_series(AssessmentFigures, facts, months=months, by=by, figures_of=figures_of, happened=_happened)
