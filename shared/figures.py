"""What the services' figures have in common (docs/figures.md): the groupings, sorting facts into
groups (and into the cells of two groupings), the months of a series and of the look ahead, and
hiding what would let a reader pick someone out. Each service brings its own facts and its own
figures per group; how a route answers with them is in figures_answer.py."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from enum import StrEnum
from typing import Callable, ClassVar, Generic, Iterable, Literal, NamedTuple, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.suppression import Line, hidden_cells

CSV = "text/csv"
UNKNOWN = "unknown"  # the group of an assessment or plan whose grouping value was not reported
TOTAL = "all"  # the group of the total row (and of a grouping's margin in a cross-tab)
HIDDEN = ".."  # a hidden figure in the CSV file (as Statistics Finland marks a confidential one)


class Dimension(NamedTuple):
    """A grouping the figures can be asked by: its name in the API, and the facts' field holding
    each assessment's or plan's value. A new grouping is one entry here (and the field in
    `GroupedFacts`, filled by the services that know it). `measures`: a grouping of a plan's
    measures, not of clients (the measure figures only). `of`: a group worked out from the field
    and the first day of the period asked for (an age from a birth date)."""

    name: str
    field: str
    measures: bool = False
    of: Callable[[object, date], str | None] | None = None


# Age bands, by age on the first day of the period: minors (their own services and, under 18, the
# wellbeing services county's part), young adults (the youth guarantee and youth services stop at
# 29), working age, and retirement age (integration then leans on the municipality, not on work).
AGE_BANDS = ((18, "0-17"), (30, "18-29"), (65, "30-64"))
OLDEST_BAND = "65+"


def age_band(birth_date: object, on: date) -> str | None:
    """The age band of someone born on `birth_date`, on the day `on` (None: not known)."""
    if not isinstance(birth_date, date):
        return None
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return next((band for below, band in AGE_BANDS if age < below), OLDEST_BAND)


def client_group(facts: object, on: date) -> str | None:
    """The group of the projects' groups (shared/client_groups.py) of a client's (recorded groups,
    birth date) on the day `on`: every group they are in together, so each is counted once."""
    from shared.client_groups import figure_group, young_below_age

    recorded, birth_date = facts if isinstance(facts, tuple) else (None, None)
    return figure_group(recorded, birth_date, on, young_below_age())


DIMENSIONS = (
    Dimension("municipality", "municipality_code"),  # the 3-digit code
    Dimension("residence_basis", "residence_basis"),  # the registration's basis (CONTRACT §1)
    Dimension("gender", "gender"),  # the registration's `sex`
    Dimension("native_language", "native_language"),  # ISO 639
    Dimension("plan_type", "plan_type"),  # the plan type the assessment proposed (CONTRACT §5)
    Dimension("target_group", "target_group"),  # who is owed an assessment, as intake decided (ClientRecorded)
    Dimension("age_band", "birth_date", of=age_band),  # 0-17, 18-29, 30-64, 65+ on the period's first day
    # the groups the projects reach, together (young_people+family_migrants; `none`); young people by age on the period's first day
    Dimension("client_group", "client_group_facts", of=client_group),
    Dimension("lead", "lead"),  # who leads the services when the path began: municipality | employment_authority
    # plans: the client's recorded interpreter need (else the one booked for the interview); assessments: the one booked (unknown: none)
    Dimension("interpreter_language", "interpreter_language"),
    Dimension("measure_kind", "measure_kind", measures=True),  # a measure's kind (language_studies, …)
    Dimension("provider", "provider", measures=True),  # who provides a measure, as the plan names them
)

Grouping = StrEnum("Grouping", {dimension.name: dimension.name for dimension in DIMENSIONS})  # type: ignore[misc]
FIELD = {Grouping(dimension.name): dimension.field for dimension in DIMENSIONS}
WORKED_OUT = {Grouping(dimension.name): dimension.of for dimension in DIMENSIONS if dimension.of is not None}
CLIENT_GROUPINGS = frozenset(Grouping(dimension.name) for dimension in DIMENSIONS if not dimension.measures)


class GroupedFacts(BaseModel):
    """What an assessment's or a plan's facts are grouped by (no names, no identity code)."""

    model_config = ConfigDict(frozen=True)

    municipality_code: str
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None
    plan_type: str | None = None
    target_group: str | None = None
    birth_date: date | None = None  # only ever shown as an age band
    lead: str | None = None
    client_groups: tuple[str, ...] | None = None  # as recorded (None: not asked when the path began)
    interpreter_language: str | None = None  # plans: the recorded interpreter need; assessments: the interpreter booked
    measure_kind: str | None = None  # the measure figures' only
    provider: str | None = None  # the measure figures' only

    @property
    def client_group_facts(self) -> tuple[tuple[str, ...] | None, date | None]:
        return (self.client_groups, self.birth_date)  # what `client_group` works its group out of

    def group(self, by: Grouping, on: date) -> str:
        """The group under `by` in a period beginning on `on`."""
        value = getattr(self, FIELD[by])
        if by in WORKED_OUT:
            value = WORKED_OUT[by](value, on)
        return value or UNKNOWN


class FigureRow(BaseModel):
    """The figures of one group (or one cell of two groupings). Its counts are `int | None`: None
    when hidden. A service's row names how its figures hang together: `PARTS` (a count and the
    counts it is made of, or partly made of) and `DERIVED` (a figure worked out from counts:
    hidden when one of them is)."""

    group: str
    across: str | None = Field(default=None, description="in a cross-tab, the cell's group under the second grouping (`all`: the first grouping's group over all of them)")
    hidden: list[str] = Field(default_factory=list, description="the figures of this row not shown: fewer than the smallest group (5) counted, or they would give such a one away")

    PARTS: ClassVar[dict[str, tuple[str, ...]]] = {}
    DERIVED: ClassVar[dict[str, tuple[str, ...]]] = {}
    FRAME: ClassVar[tuple[str, ...]] = ("group", "across", "hidden")

    @classmethod
    def counts(cls) -> tuple[str, ...]:
        return tuple(name for name in cls.model_fields if name not in cls.FRAME and name not in cls.DERIVED)


class TargetResult(BaseModel):
    """A figure against the target a coordinator set for it (shared/targets.py): achieved (None
    when hidden: under five people, or it would give such a one away) and the share."""

    municipality_code: str
    figure: str
    target: float
    achieved: int | float | None
    share: float | None = Field(description="achieved / target with three decimals; null when hidden or the target is 0")


class Ahead(BaseModel):
    """What is coming in a municipality in a month (a look ahead): how many statutory deadlines
    fall due, or recruits are expected to arrive. `all` for a margin; `count` None when hidden."""

    what: str = Field(description="assessment_start, plan_start, plan_referral, plan_review, plan_end, or arrival")
    municipality_code: str
    month: str = Field(description="`YYYY-MM`, or `all` for the months together")
    count: int | None
    hidden: bool = False


Row = TypeVar("Row", bound=FigureRow)  # a service's figures of one group
Facts = TypeVar("Facts", bound=GroupedFacts)


class PeriodFigures(BaseModel, Generic[Row]):
    """The figures of a period: a row per group and the total; in a cross-tab (`across`) also a
    row per group of the second grouping and one per cell of the two."""

    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    by: Grouping
    across: Grouping | Literal["month"] | None = Field(default=None, description="the second grouping of a cross-tab; `month` in a monthly series (`across` of a row: `2027-01`)")
    groups: list[Row]
    across_groups: list[Row] = Field(default_factory=list, description="in a cross-tab: per group of the second grouping, over all groups of the first (`group` is `all`)")
    cells: list[Row] = Field(default_factory=list, description="in a cross-tab: per group of the first grouping and group of the second")
    total: Row
    targets: list[TargetResult] = Field(default_factory=list, description="the targets set for this very period in the user's municipalities, against what each achieved")
    ahead: list[Ahead] = Field(default_factory=list, description="in a monthly series: what falls due in the coming months, per municipality and month")


Figures = TypeVar("Figures", bound=PeriodFigures)


def within(day: date | None, period_from: date, period_to: date) -> bool:
    return day is not None and period_from <= day <= period_to


def share(part: int, whole: int) -> float | None:
    """`part / whole` from 0 to 1 with three decimals; None when there is no whole."""
    return round(part / whole, 3) if whole else None


def _order(row: FigureRow) -> tuple:
    return (row.group == UNKNOWN, row.group == TOTAL, row.group, row.across == UNKNOWN, row.across or "")


def period_figures(
    figures: type[Figures],
    facts: Iterable[Facts],
    *,
    period_from: date,
    period_to: date,
    by: Grouping,
    figures_of: Callable[[str, list[Facts], date, date], Row],
    happened: Callable[[Row], bool],
    across: Grouping | None = None,
) -> Figures:
    """Per group (sorted by code, `unknown` last) and in total; with `across`, also per group of
    the second grouping and per cell of the two. A group or cell appears when something of it
    `happened` in the period. Nothing is hidden yet: that is `protect`'s."""
    facts = list(facts)

    def rows_by(key: Callable[[Facts], tuple[str, str | None]]) -> list[Row]:
        sorted_facts: dict[tuple[str, str | None], list[Facts]] = {}
        for item in facts:
            sorted_facts.setdefault(key(item), []).append(item)
        rows = [
            figures_of(group, members, period_from, period_to).model_copy(update={"across": second})
            for (group, second), members in sorted_facts.items()
        ]
        return sorted((row for row in rows if happened(row)), key=_order)

    groups = rows_by(lambda item: (item.group(by, period_from), None))
    total = figures_of(TOTAL, facts, period_from, period_to)
    if across is None:
        return figures(period_from=period_from, period_to=period_to, by=by, groups=groups, total=total)
    return figures(
        period_from=period_from, period_to=period_to, by=by, across=across, groups=groups, total=total,
        across_groups=rows_by(lambda item: (TOTAL, item.group(across, period_from))),
        cells=rows_by(lambda item: (item.group(by, period_from), item.group(across, period_from))),
    )


def months_back(today: date, count: int) -> list[tuple[date, date]]:
    """The `count` calendar months up to and including today's, oldest first."""
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append((first, month_end(first)))
        first = (first - timedelta(days=1)).replace(day=1)
    return months[::-1]


def monthly_series(
    figures: type[Figures],
    facts: Iterable[Facts],
    *,
    months: list[tuple[date, date]],
    by: Grouping,
    figures_of: Callable[[str, list[Facts], date, date], Row],
    happened: Callable[[Row], bool],
) -> Figures:
    """The figures month by month: a cross-tab of the grouping and the months (`across` is
    `month`, a cell's `across` its month `YYYY-MM`), its margins each group over all the months
    and each month over all groups. Counts add up over months (each event has one day), so
    `protect` hides what is needed here just as in any cross-tab. An age band is the one on the
    series' first day in every month, so that a client stays in one group and the months add up."""
    facts = list(facts)
    period_from, period_to = months[0][0], months[-1][1]
    members: dict[str, list[Facts]] = {}
    for item in facts:
        members.setdefault(item.group(by, period_from), []).append(item)

    def shown(rows: Iterable[Row]) -> list[Row]:
        return sorted((row for row in rows if happened(row)), key=_order)

    label = {first: first.strftime("%Y-%m") for first, _last in months}
    return figures(
        period_from=period_from, period_to=period_to, by=by, across="month",
        groups=shown(figures_of(group, items, period_from, period_to) for group, items in members.items()),
        across_groups=[
            figures_of(TOTAL, facts, first, last).model_copy(update={"across": label[first]}) for first, last in months
        ],
        cells=shown(
            figures_of(group, items, first, last).model_copy(update={"across": label[first]})
            for group, items in members.items() for first, last in months
        ),
        total=figures_of(TOTAL, facts, period_from, period_to),
    )


# --- nobody can be picked out --------------------------------------------------------------------


def _key(row: FigureRow) -> tuple[str, str]:
    """Where a row sits in the table of two groupings (a one-way table's rows are its margin)."""
    return (row.group, row.across or TOTAL)


def _rest(whole: str) -> str:
    return f"{whole}:rest"  # the part of a whole its named parts leave: never shown, but worked out


def protect(figures: Figures, smallest: int) -> Figures:
    """The figures with every count of 1 to `smallest - 1` hidden, and so many others beside them
    that none of those can be worked out from a total, a margin or a whole and what is shown
    (shared/suppression.py); a figure worked out from a hidden count is hidden too. Hidden
    figures are None and named in their row's `hidden`.

    A cross-tab's margins are what the one-way tables of the same period show (a reader may ask
    for those too): each margin is shown or hidden as there, and only cells are hidden beside
    them. In a monthly series a month's margin is that month's own total, shown unless it is
    under `smallest`."""
    row_type = type(figures.total)
    counts = row_type.counts()
    rows = [*figures.groups, *figures.across_groups, *figures.cells, figures.total]
    values: dict[tuple, int] = {}
    unshown: set[tuple] = set()
    lines: list[Line] = []
    for row in rows:
        key = _key(row)
        for column in counts:
            values[(key, column)] = getattr(row, column) or 0
        for whole, parts in row_type.PARTS.items():
            rest = (key, _rest(whole))
            values[rest] = values[(key, whole)] - sum(values[(key, part)] for part in parts)
            unshown.add(rest)
            lines.append(Line([*((key, part) for part in parts), rest], (key, whole)))
    firsts = sorted({key[0] for key, _ in values if key[0] != TOTAL})
    seconds = sorted({key[1] for key, _ in values if key[1] != TOTAL})
    present = {_key(row) for row in rows}
    if figures.across is not None:
        # A cell of no one is a cell too: hiding one may be all that protects another (a reader
        # who sees that a cell is missing knows it is 0).
        present |= {(first, second) for first in firsts for second in seconds}
        for first in firsts:
            for second in seconds:
                for column in (*counts, *(_rest(whole) for whole in row_type.PARTS)):
                    values.setdefault(((first, second), column), 0)
    for column in (*counts, *(_rest(whole) for whole in row_type.PARTS)):
        lines.append(Line([((first, TOTAL), column) for first in firsts], ((TOTAL, TOTAL), column)))
        if figures.across is not None:
            lines.append(Line([((TOTAL, second), column) for second in seconds], ((TOTAL, TOTAL), column)))
            for first in firsts:
                lines.append(Line([((first, second), column) for second in seconds if (first, second) in present], ((first, TOTAL), column)))
            for second in seconds:
                lines.append(Line([((first, second), column) for first in firsts if (first, second) in present], ((TOTAL, second), column)))
    public, hidden_before = _margins(figures, smallest, counts) if figures.across is not None else (set(), set())
    hidden = hidden_cells(values, lines, smallest, unshown=unshown, public=public, hidden=hidden_before)

    def protected(row: Row) -> Row:
        key = _key(row)
        gone = [column for column in counts if (key, column) in hidden]
        gone += [column for column, bases in row_type.DERIVED.items() if any(base in gone for base in bases)]
        if not gone:
            return row
        return row.model_copy(update={**{column: None for column in gone}, "hidden": [c for c in row_type.model_fields if c in gone]})

    listed = {_key(row) for row in figures.cells}
    empty = {c: 0 for c in counts} | {c: None for c in row_type.DERIVED}
    hidden_empty = [
        figures.total.model_copy(update={**empty, "group": first, "across": second})
        for first, second in sorted({key for key, column in hidden if key[0] != TOTAL and key[1] != TOTAL and key not in listed})
    ]
    return figures.model_copy(update={
        "groups": [protected(row) for row in figures.groups],
        "across_groups": [protected(row) for row in figures.across_groups],
        "cells": sorted((protected(row) for row in [*figures.cells, *hidden_empty]), key=_order),
        "total": protected(figures.total),
    })


def months_ahead(today: date, count: int = 3) -> list[tuple[date, date]]:
    """This month from today on and the months after it: `count` calendar months in all."""
    months, first = [], today
    for _ in range(count):
        months.append((first, month_end(first)))
        first = month_end(first) + timedelta(days=1)
    return months


def look_ahead(what: str, dues: Iterable[tuple[str, date]], months: list[tuple[date, date]], smallest: int) -> list[Ahead]:
    """How many of `what` fall due per municipality and month (with each municipality's months
    together, each month's municipalities together, and all together), hidden as any table of
    people is: under `smallest`, and so that none can be worked out from a margin."""
    label = {first: first.strftime("%Y-%m") for first, _last in months}
    counts: dict[tuple[str, str], int] = {}
    for municipality, day in dues:
        month = next((label[first] for first, last in months if first <= day <= last), None)
        if month is None:
            continue
        for key in ((municipality, month), (municipality, TOTAL), (TOTAL, month), (TOTAL, TOTAL)):
            counts[key] = counts.get(key, 0) + 1
    municipalities = sorted({key[0] for key in counts if key[0] != TOTAL})
    labels = list(label.values())
    for key in [(TOTAL, month) for month in labels] + [(TOTAL, TOTAL)]:
        counts.setdefault(key, 0)
    lines = [Line([(m, month) for m in municipalities if (m, month) in counts], (TOTAL, month)) for month in labels]
    lines += [Line([(m, month) for month in labels if (m, month) in counts], (m, TOTAL)) for m in municipalities]
    lines += [Line([(m, TOTAL) for m in municipalities], (TOTAL, TOTAL)), Line([(TOTAL, month) for month in labels], (TOTAL, TOTAL))]
    hidden = hidden_cells(counts, lines, smallest)
    order = {value: index for index, value in enumerate([*municipalities, *labels, TOTAL])}
    return [
        Ahead(what=what, municipality_code=m, month=month, count=None if (m, month) in hidden else count, hidden=(m, month) in hidden)
        for (m, month), count in sorted(counts.items(), key=lambda item: (order[item[0][0]], order[item[0][1]]))
    ]


def _margins(figures: PeriodFigures, smallest: int, counts: tuple[str, ...]) -> tuple[set[tuple], set[tuple]]:
    """A cross-tab's margins as the one-way tables show them: (shown, hidden) cells."""
    shown: set[tuple] = set()
    hidden: set[tuple] = set()
    one_way = protect(figures.model_copy(update={"across": None, "across_groups": [], "cells": []}), smallest)
    margins = [((row.group, TOTAL), row) for row in [*one_way.groups, one_way.total]]
    if figures.across == "month":
        for row in figures.across_groups:  # each month's own total
            for column in counts:
                value = getattr(row, column) or 0
                (hidden if 0 < value < smallest else shown).add(((TOTAL, row.across), column))
    else:
        flipped = [row.model_copy(update={"group": row.across, "across": None}) for row in figures.across_groups]
        other_way = protect(figures.model_copy(update={"across": None, "across_groups": [], "cells": [], "groups": flipped}), smallest)
        margins += [((TOTAL, row.group), row) for row in other_way.groups]
    for key, row in margins:
        for column in counts:
            (hidden if column in row.hidden else shown).add((key, column))
    return shown, hidden


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])
