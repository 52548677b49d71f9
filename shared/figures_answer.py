"""How a figures route answers (docs/figures.md): its parameters (the period, the groupings, the
format), who may read figures, the access log's row of each query, and the answer — JSON, the CSV
file a spreadsheet opens in Finland, or an Excel workbook. What the figures are is in figures.py."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Iterable, Literal
from uuid import uuid4

from fastapi import Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import clock
from shared import municipalities as reference
from shared.access import RecordRead, list_query, log_reads
from shared.auth import StaffUser, require_role
from shared.figures import CLIENT_GROUPINGS, CSV, HIDDEN, TOTAL, Grouping, PeriodFigures, month_end
from shared.i18n import negotiate, translate
from shared.refusals import Forbidden, Refused


# --- the CSV file --------------------------------------------------------------------------------


def columns_of(figures: PeriodFigures) -> tuple[str, ...]:
    """The CSV's columns: the group (and in a cross-tab the second group), then the figures."""
    row_type = type(figures.total)
    frame = ("group", "across") if figures.across is not None else ("group",)
    return (*frame, *(name for name in row_type.model_fields if name not in row_type.FRAME))


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
    ends. First the column headings (in the user's language), then a row per group (in a
    cross-tab: per cell, then per group of each grouping), then the total. A hidden figure is `..`."""
    columns = columns_of(figures)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([headings.get(column, column) for column in columns])
    rows = [*figures.cells, *figures.groups, *figures.across_groups, figures.total]
    for row in rows:
        writer.writerow([
            HIDDEN if column in row.hidden else (row.across or TOTAL) if column == "across" else _cell(getattr(row, column))
            for column in columns
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the route's parameters, its access log row and its answer -----------------------------------


def _period(
    period_from: Annotated[date | None, Query(alias="from", description="first day, the first of a month (default: 1 January of this year)")] = None,
    period_to: Annotated[date | None, Query(alias="to", description="last day, the last of a month (default: the end of this month)")] = None,
) -> tuple[date, date]:
    """Whole calendar months only: a shorter period (or two overlapping ones) could show a cell of
    one person that a month hides among many (docs/figures.md)."""
    today = clock.today()
    period_from = period_from or date(today.year, 1, 1)
    period_to = period_to or month_end(today)
    if period_from > period_to:
        raise Refused("figures_period_reversed", status=422, period_from=period_from.isoformat(), period_to=period_to.isoformat())
    if period_from.day != 1:
        raise Refused("figures_period_from_not_month_start", status=422, field="from", period_from=period_from.isoformat())
    if period_to != month_end(period_to):
        raise Refused("figures_period_to_not_month_end", status=422, field="to", period_to=period_to.isoformat())
    return period_from, period_to


Period = Annotated[tuple[date, date], Depends(_period)]
Format = Annotated[
    Literal["json", "csv", "xlsx"] | None,
    Query(description="`csv`: the same figures as a CSV file (also with `Accept: text/csv`); `xlsx`: as an Excel workbook"),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Across = Annotated[Grouping | None, Query(description="a second grouping: the figures per cell of the two (a cross-tab)")]

RESPONSES: dict[int | str, dict] = {
    200: {
        "content": {CSV: {"schema": {"type": "string"}}, XLSX: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The figures per group and in total",
    },
    403: {"description": "Only caseworkers and coordinators see figures"},
    422: {"description": "A bad date or grouping, the same grouping twice, `from` after `to`, or a period not of whole months"},
}


def in_scope(user: StaffUser) -> StaffUser:
    """Whose figures the user sees: their municipalities, and for the `region` role every
    municipality of their regions (shared/data/municipalities.csv). Figures only, read-only: the
    role may do nothing else (docs/roles.md)."""
    if "region" not in user.roles:
        return user
    known = {m.region for m in reference.all_municipalities()}
    unknown = [region for region in user.regions if region not in known]
    if unknown or not user.regions:
        raise Forbidden("figures_region_unknown", regions=", ".join(unknown) or "–")
    codes = {m.code for m in reference.all_municipalities() if m.region in user.regions}
    return user.model_copy(update={"municipalities": sorted(codes | set(user.municipalities))})


async def _figure_reader(user: Annotated[StaffUser, require_role("caseworker", "coordinator", "region")]) -> StaffUser:
    return in_scope(user)


FigureReader = Annotated[StaffUser, Depends(_figure_reader)]  # who may read figures, with the municipalities they cover


def check_groupings(by: Grouping, across: Grouping | None, allowed: Iterable[Grouping] = CLIENT_GROUPINGS) -> None:
    """Two different groupings, each one these figures know (a measure's kind or provider groups
    measures, not assessments or plans)."""
    allowed = set(allowed)
    for field, grouping in (("by", by), ("across", across)):
        if grouping is not None and grouping not in allowed:
            raise Refused("figures_grouping_not_here", status=422, field=field, grouping=grouping.value, name=field)
    if across is not None and across == by:
        raise Refused("figures_same_grouping_twice", status=422, field="across", by=by.value)


def log_figures_query(session: AsyncSession, *, service: str, user: StaffUser, action: str, figures: PeriodFigures) -> None:
    """A figures query in the access log: who asked, by which groupings, for which period — one
    row per municipality it covered (so each one's coordinators see it), linked by one id. It
    names no one; the caller commits."""
    query = list_query({
        "by": figures.by.value, "across": str(figures.across) if figures.across else None,
        "from": figures.period_from.isoformat(), "to": figures.period_to.isoformat(),
    })
    query_id = uuid4()
    records = [RecordRead(kind="figures", record_id=query_id, municipality_code=code) for code in sorted(set(user.municipalities))]
    log_reads(session, service=service, user=user, action=action, records=records, query=query)


def figures_workbook(figures: PeriodFigures, headings: dict[str, str], language: str) -> bytes:
    """The same figures as an Excel workbook for the working group: a sheet of the figures (as the
    CSV file has them, numbers as numbers, a hidden one `..`), and when there are any, a sheet of
    the targets against what was achieved and one of the look ahead."""
    from openpyxl import Workbook  # only where a workbook is asked for

    book = Workbook()
    sheet = book.active
    sheet.title = translate("figures.sheet.figures", language)[:31]
    columns = columns_of(figures)
    sheet.append([headings.get(column, column) for column in columns])
    for row in [*figures.cells, *figures.groups, *figures.across_groups, figures.total]:
        sheet.append([
            HIDDEN if column in row.hidden else (row.across or TOTAL) if column == "across" else getattr(row, column)
            for column in columns
        ])
    if figures.targets:
        targets = book.create_sheet(translate("figures.sheet.targets", language)[:31])
        names = ("municipality_code", "figure", "target", "achieved", "share")
        targets.append([translate(f"figures.targets.column.{name}", language) for name in names])
        for target in figures.targets:
            targets.append([HIDDEN if name == "achieved" and target.achieved is None else getattr(target, name) for name in names])
    if figures.ahead:
        ahead = book.create_sheet(translate("figures.sheet.ahead", language)[:31])
        names = ("what", "municipality_code", "month", "count")
        ahead.append([translate(f"figures.ahead.column.{name}", language) for name in names])
        for row in figures.ahead:
            ahead.append([HIDDEN if name == "count" and row.hidden else getattr(row, name) for name in names])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def figures_answer(request: Request, figures: PeriodFigures, format: str | None, *, file_name: str, headings: str) -> Response:
    """JSON, or the CSV file when asked for (`?format=csv`, or `Accept: text/csv` without a
    `format`), or an Excel workbook (`?format=xlsx`): named
    `<file_name>_<grouping>[-<second grouping>]_<from>_<to>.<csv|xlsx>`, its headings the
    catalogue's `<headings>.<column>` in the user's language."""
    wants_csv = format == "csv" or (format is None and CSV in request.headers.get("accept", ""))
    if not wants_csv and format != "xlsx":
        return JSONResponse(figures.model_dump(mode="json", by_alias=True))
    language = negotiate(request.headers.get("accept-language"))
    titles = {column: translate(f"{headings}.{column}", language) for column in columns_of(figures) if column != "across"}
    across = str(figures.across) if figures.across is not None else None
    if across is not None:
        titles["group"] = translate(f"dashboard.figures_by.{figures.by.value}", language)
        titles["across"] = translate(f"dashboard.figures_by.{across}", language)
    grouping = figures.by.value + (f"-{across}" if across else "")
    name = f"{file_name}_{grouping}_{figures.period_from.isoformat()}_{figures.period_to.isoformat()}"
    if format == "xlsx":
        content, media_type, name = figures_workbook(figures, titles, language), XLSX, name + ".xlsx"
    else:
        content, media_type, name = figures_csv(figures, titles), "text/csv; charset=utf-8", name + ".csv"
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"', "Content-Language": language},
    )
