"""Targets a coordinator sets for a municipality's figures (docs/figures.md, "Targets"): per
municipality, figure and period of whole months, set through the API or a CSV file, shown beside
each figures answer as target, achieved and share. Each service keeps the targets of its own
figures in its own table (`TargetFields` plus a name); this module has what they share."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence
from uuid import UUID, uuid4

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field as Schema
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.auth import StaffUser
from shared.clock import now
from shared.db import UtcDateTime
from shared.figures import TOTAL, PeriodFigures, TargetResult, month_end
from shared.figures_answer import figures_answer, log_figures_query
from shared.refusals import Forbidden, Refused


class TargetFields(SQLModel):
    """One target: a figure's goal for a municipality and a period of whole months."""

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    municipality_code: str = Field(index=True)
    figure: str
    period_from: date
    period_to: date
    target: float
    set_by_sub: str
    set_at: datetime = Field(sa_type=UtcDateTime)


class Target(BaseModel):
    """A target as it is set and read (`from`, `to`: the first and last day of whole months)."""

    model_config = ConfigDict(populate_by_name=True)

    municipality_code: str = Schema(pattern=r"^[0-9]{3}$")
    figure: str = Schema(description="a count of these figures, e.g. `plans_made`, `started`")
    period_from: date = Schema(alias="from")
    period_to: date = Schema(alias="to")
    target: float = Schema(ge=0, le=1_000_000)


def check_target(target: Target, user: StaffUser, figures: Sequence[str], *, line: int | None = None) -> None:
    """A figure these figures count, in whole months, of the coordinator's own municipality."""
    where = {"line": line} if line is not None else {}
    if target.figure not in figures:
        raise Refused("target_figure_unknown", status=422, field="figure", figure=target.figure, known=", ".join(figures), **where)
    if target.period_from.day != 1 or target.period_to != month_end(target.period_to) or target.period_from > target.period_to:
        raise Refused("target_period_not_whole_months", status=422, field="from", period_from=target.period_from.isoformat(),
                      period_to=target.period_to.isoformat(), **where)
    if not user.can_see(target.municipality_code):
        raise Forbidden("target_municipality_not_yours", municipality_code=target.municipality_code)


async def set_targets(session: AsyncSession, table: type[TargetFields], user: StaffUser, targets: Iterable[Target]) -> int:
    """Each target set (replacing the one of the same municipality, figure and period); the caller
    commits. Returns how many were set."""
    count = 0
    for target in targets:
        existing = (await session.exec(select(table).where(
            table.municipality_code == target.municipality_code, table.figure == target.figure,
            table.period_from == target.period_from, table.period_to == target.period_to,
        ))).first()
        row = existing or table(
            municipality_code=target.municipality_code, figure=target.figure, period_from=target.period_from,
            period_to=target.period_to, target=target.target, set_by_sub=user.sub, set_at=now(),
        )
        row.target, row.set_by_sub, row.set_at = target.target, user.sub, now()
        session.add(row)
        count += 1
    return count


def targets_from_csv(body: bytes) -> list[Target]:
    """A CSV file as a spreadsheet in Finland saves it (UTF-8, with or without a byte order mark;
    `;` between fields; a decimal comma allowed): a heading line `municipality_code;figure;from;to;target`,
    then a target per line. A bad line is refused naming its number and field."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("targets_csv_not_utf8", status=422, field="body") from None
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    except csv.Error:  # e.g. a NUL byte: not a text file
        raise Refused("targets_csv_heading", status=422, field="body", expected="municipality_code;figure;from;to;target") from None
    heading = [cell.strip() for cell in rows[0]] if rows else []
    expected = ["municipality_code", "figure", "from", "to", "target"]
    if heading != expected:
        raise Refused("targets_csv_heading", status=422, field="body", expected=";".join(expected))
    targets = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(expected, (cell.strip() for cell in row)))
        try:
            targets.append(Target.model_validate({**values, "target": values.get("target", "").replace(",", ".")}))
        except ValueError as error:
            field = next((str(problem["loc"][0]) for problem in getattr(error, "errors", lambda: [])()), "target")
            raise Refused("targets_csv_line", status=422, field=field, line=number, name=field) from None
    return targets


async def targets_of(session: AsyncSession, table: type[TargetFields], user: StaffUser, period_from: date, period_to: date) -> list[TargetFields]:
    """The targets of the user's municipalities set for exactly this period."""
    statement = select(table).where(
        col(table.municipality_code).in_(user.municipalities), table.period_from == period_from, table.period_to == period_to,
    ).order_by(table.municipality_code, table.figure)
    return list((await session.exec(statement)).all())


def against_targets(targets: Iterable[TargetFields], by_municipality: PeriodFigures, figures: Sequence[str]) -> list[TargetResult]:
    """Each target beside what its municipality achieved (the figures by municipality, with small
    counts already hidden: a hidden figure is not achieved-and-shown either)."""
    rows = {row.group: row for row in by_municipality.groups if row.group != TOTAL}
    results = []
    for target in targets:
        if target.figure not in figures:
            continue
        row = rows.get(target.municipality_code)
        achieved = getattr(row, target.figure) if row is not None else 0
        share = round(achieved / target.target, 3) if achieved is not None and target.target else None
        results.append(TargetResult(
            municipality_code=target.municipality_code, figure=target.figure, target=target.target, achieved=achieved, share=share,
        ))
    return results


async def with_targets(
    session: AsyncSession, table: type[TargetFields], user: StaffUser, figures: PeriodFigures, by_municipality: PeriodFigures
) -> PeriodFigures:
    """The figures with the targets set for their period, against what was achieved."""
    rows = await targets_of(session, table, user, figures.period_from, figures.period_to)
    names = type(figures.total).counts()
    return figures.model_copy(update={"targets": against_targets(rows, by_municipality, names)})


class TargetsSet(BaseModel):
    set: int = Schema(description="how many targets were set (a target of the same municipality, figure and period is replaced)")


# --- what the routes of each service's figures do with them ---------------------------------------


async def read_targets(session: AsyncSession, table: type[TargetFields], user: StaffUser, period: tuple[date, date]) -> list[Target]:
    return [Target.model_validate(row, from_attributes=True) for row in await targets_of(session, table, user, *period)]


async def store_targets(
    session: AsyncSession, table: type[TargetFields], user: StaffUser, targets: list[Target], figures: Sequence[str], *, from_file: bool = False
) -> TargetsSet:
    """Check every target (a file's by its line number), then set them all, and commit."""
    for line, target in enumerate(targets, start=2):
        check_target(target, user, figures, line=line if from_file else None)
    count = await set_targets(session, table, user, targets)
    await session.commit()
    return TargetsSet(set=count)


@dataclass(frozen=True)
class FigureSource:
    """One figures route's answer: which service logs it, as what, its targets' table (None: no
    targets), and its files' name and headings (shared/figures.py `figures_answer`)."""

    service: str
    action: str
    file_name: str
    headings: str
    targets: type[TargetFields] | None = None


async def figures_response(
    request: Request, session: AsyncSession, user: StaffUser, source: FigureSource, figures: PeriodFigures,
    format: str | None, *, by_municipality: PeriodFigures | None = None,
) -> Response:
    """Protected figures, with their targets when the source keeps any, logged, committed and
    answered as asked (JSON, CSV or a workbook)."""
    if source.targets is not None and by_municipality is not None:
        figures = await with_targets(session, source.targets, user, figures, by_municipality)
    log_figures_query(session, service=source.service, user=user, action=source.action, figures=figures)
    await session.commit()
    return figures_answer(request, figures, format, file_name=source.file_name, headings=source.headings)
