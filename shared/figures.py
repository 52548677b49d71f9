"""What the assessment and the plan figures have in common (docs/figures.md): the groupings, the
period a request asks for, sorting facts into groups, and the answer: JSON, or the CSV file a
spreadsheet opens in Finland. Each service brings its own facts and its own figures per group."""

from __future__ import annotations

import csv
import io
from datetime import date
from enum import StrEnum
from typing import Annotated, Callable, Generic, Iterable, Literal, TypeVar

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from shared import clock
from shared.i18n import negotiate, translate
from shared.refusals import Refused

CSV = "text/csv"
UNKNOWN = "unknown"  # the group of an assessment or plan whose grouping value was not reported
TOTAL = "all"  # the group of the total row


class Grouping(StrEnum):
    municipality = "municipality"
    residence_basis = "residence_basis"
    gender = "gender"
    native_language = "native_language"


FIELD = {Grouping.municipality: "municipality_code"}  # else the grouping's own name


class GroupedFacts(BaseModel):
    """What an assessment's or a plan's facts are grouped by (no names, no identity code)."""

    model_config = ConfigDict(frozen=True)

    municipality_code: str
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None

    def group(self, by: Grouping) -> str:
        return getattr(self, FIELD.get(by, by.value)) or UNKNOWN


Row = TypeVar("Row", bound=BaseModel)  # a service's figures of one group; it has a `group`
Facts = TypeVar("Facts", bound=GroupedFacts)


class PeriodFigures(BaseModel, Generic[Row]):
    """The figures of a period: a row per group and the total."""

    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    by: Grouping
    groups: list[Row]
    total: Row


Figures = TypeVar("Figures", bound=PeriodFigures)


def within(day: date | None, period_from: date, period_to: date) -> bool:
    return day is not None and period_from <= day <= period_to


def share(part: int, whole: int) -> float | None:
    """`part / whole` from 0 to 1 with three decimals; None when there is no whole."""
    return round(part / whole, 3) if whole else None


def period_figures(
    figures: type[Figures],
    facts: Iterable[Facts],
    *,
    period_from: date,
    period_to: date,
    by: Grouping,
    figures_of: Callable[[str, list[Facts], date, date], Row],
    happened: Callable[[Row], bool],
) -> Figures:
    """Per group (sorted by code, `unknown` last) and in total. A group appears when something of
    it `happened` in the period."""
    facts = list(facts)
    groups: dict[str, list[Facts]] = {}
    for item in facts:
        groups.setdefault(item.group(by), []).append(item)
    rows = [row for row in (figures_of(group, members, period_from, period_to) for group, members in groups.items()) if happened(row)]
    rows.sort(key=lambda row: (row.group == UNKNOWN, row.group))  # type: ignore[attr-defined]
    total = figures_of(TOTAL, facts, period_from, period_to)
    return figures(period_from=period_from, period_to=period_to, by=by, groups=rows, total=total)


def columns_of(figures: PeriodFigures) -> tuple[str, ...]:
    """The CSV's columns: the fields of a group's row, in order."""
    return tuple(type(figures.total).model_fields)


def _cell(value: object) -> str:
    """Numbers as a Finnish or Swedish spreadsheet reads them: a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else str(value).replace(".", ",")
    return str(value)


def figures_csv(figures: PeriodFigures, headings: dict[str, str]) -> bytes:
    """The figures as a spreadsheet opens them in Finland: UTF-8 with a byte order mark (so Excel
    reads ä and å), `;` between fields and a decimal comma (Finnish and Swedish Excel), CRLF line
    ends. First the column headings (in the user's language), then a row per group, then the
    total."""
    columns = columns_of(figures)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([headings.get(column, column) for column in columns])
    for row in [*figures.groups, figures.total]:
        writer.writerow([_cell(getattr(row, column)) for column in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the route's parameters and answer -----------------------------------------------------------


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
Format = Annotated[Literal["json", "csv"] | None, Query(description="`csv`: the same figures as a CSV file (also with `Accept: text/csv`)")]

RESPONSES: dict[int | str, dict] = {
    200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "The figures per group and in total"},
    403: {"description": "Only caseworkers and coordinators see figures"},
    422: {"description": "A bad date or grouping, or `from` after `to`"},
}


def figures_answer(request: Request, figures: PeriodFigures, format: str | None, *, file_name: str, headings: str) -> Response:
    """JSON, or the CSV file when asked for (`?format=csv`, or `Accept: text/csv` without a
    `format`): named `<file_name>_<grouping>_<from>_<to>.csv`, its headings the catalogue's
    `<headings>.<column>` in the user's language."""
    wants_csv = format == "csv" or (format is None and CSV in request.headers.get("accept", ""))
    if not wants_csv:
        return JSONResponse(figures.model_dump(mode="json", by_alias=True))
    language = negotiate(request.headers.get("accept-language"))
    titles = {column: translate(f"{headings}.{column}", language) for column in columns_of(figures)}
    name = f"{file_name}_{figures.by.value}_{figures.period_from.isoformat()}_{figures.period_to.isoformat()}.csv"
    return Response(
        figures_csv(figures, titles),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Content-Language": language},
    )
