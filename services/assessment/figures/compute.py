"""The figures from plain data: no database, no clock (unit-tested on lists of facts).

An assessment counts in a period for what happened in it: `became_clients` by the day its client
became a client, `started` (and the days to start, and whether it started within the deadline)
by its start day, `completed` (and the days to completion) by its completion day. So a period's
figures are the same whenever they are asked, once the period is over.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from statistics import mean, median
from typing import Iterable

from services.assessment.figures.models import (
    COLUMNS,
    UNKNOWN,
    AssessmentFacts,
    AssessmentFigures,
    GroupFigures,
    Grouping,
)

TOTAL = "all"


FIELD = {Grouping.municipality: "municipality_code"}  # else the grouping's own name


def group_of(facts: AssessmentFacts, by: Grouping) -> str:
    return getattr(facts, FIELD.get(by, by.value)) or UNKNOWN


def _within(day: date | None, period_from: date, period_to: date) -> bool:
    return day is not None and period_from <= day <= period_to


def _days(values: list[int]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return float(median(values)), round(mean(values), 1)


def figures_of(group: str, facts: Iterable[AssessmentFacts], period_from: date, period_to: date) -> GroupFigures:
    facts = list(facts)
    became = [item for item in facts if _within(item.became_client_on, period_from, period_to)]
    started = [item for item in facts if _within(item.started_on, period_from, period_to)]
    completed = [item for item in facts if _within(item.completed_on, period_from, period_to)]
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
        share_started_within_deadline=round(in_time / len(started), 3) if started else None,
    )


def assessment_figures(facts: Iterable[AssessmentFacts], *, period_from: date, period_to: date, by: Grouping) -> AssessmentFigures:
    """Per group (sorted by code, `unknown` last) and in total. A group appears when something of
    it happened in the period."""
    facts = list(facts)
    groups: dict[str, list[AssessmentFacts]] = {}
    for item in facts:
        groups.setdefault(group_of(item, by), []).append(item)
    rows = [figures_of(group, members, period_from, period_to) for group, members in groups.items()]
    rows = [row for row in rows if row.became_clients or row.started or row.completed]
    rows.sort(key=lambda row: (row.group == UNKNOWN, row.group))
    return AssessmentFigures(
        period_from=period_from, period_to=period_to, by=by, groups=rows, total=figures_of(TOTAL, facts, period_from, period_to)
    )


def _cell(value: object) -> str:
    """Numbers as a Finnish or Swedish spreadsheet reads them: a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else str(value).replace(".", ",")
    return str(value)


def figures_csv(figures: AssessmentFigures, headings: dict[str, str]) -> bytes:
    """The figures as a spreadsheet opens them in Finland: UTF-8 with a byte order mark (so Excel
    reads ä and å), `;` between fields and a decimal comma (Finnish and Swedish Excel), CRLF line
    ends. First the column headings (in the user's language), then a row per group, then the
    total."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([headings.get(column, column) for column in COLUMNS])
    for row in [*figures.groups, figures.total]:
        writer.writerow([_cell(getattr(row, column)) for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
