"""Nobody can be picked out of the figures (shared/suppression.py, shared/figures.py `protect`): a
count of 1–4 never shows, neither directly nor as a total, a margin or a whole minus what is shown
— checked on the issue's own case and on many random tables, one-way and cross-tabs, by an
attacker written here independently of the code that hides."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from services.assessment.figures.compute import assessment_figures
from services.assessment.figures.models import AssessmentFacts, GroupFigures, Grouping
from services.planning.figures.compute import measure_figures, measures_of, plan_figures
from services.planning.figures.models import MeasureFacts, MeasureGroupFigures, PlanFacts, PlanGroupFigures
from shared.figures import TOTAL, protect
from shared.suppression import Line, hidden_cells

SMALLEST = 5
JAN, DEC = date(2027, 1, 1), date(2027, 12, 31)


def assessment(basis: str, *, gender: str = "female", started: bool = True, in_time: bool = True) -> AssessmentFacts:
    became = date(2027, 3, 1)
    return AssessmentFacts(
        municipality_code="109", residence_basis=basis, gender=gender, became_client_on=became, due_on=date(2027, 5, 1),
        started_on=(date(2027, 4, 1) if in_time else date(2027, 6, 1)) if started else None,
    )


def test_the_issues_cell_of_one_person_is_hidden_and_cannot_be_worked_out_from_the_total():
    facts = [assessment("family")] * 12 + [assessment("work")] * 9 + [assessment("victim_of_trafficking")]
    shown = protect(assessment_figures(facts, period_from=JAN, period_to=DEC, by=Grouping.residence_basis), SMALLEST)
    rows = {row.group: row for row in shown.groups}
    assert rows["victim_of_trafficking"].became_clients is None and "became_clients" in rows["victim_of_trafficking"].hidden
    # 22 in total, 12 family: without hiding `work` too, 22 - 12 - 9 would give the one away.
    assert shown.total.became_clients == 22 and rows["family"].became_clients == 12
    assert rows["work"].became_clients is None and "became_clients" in rows["work"].hidden
    # What is worked out from a hidden count is hidden with it.
    assert rows["victim_of_trafficking"].median_days_to_start is None
    assert "median_days_to_start" in rows["victim_of_trafficking"].hidden


def test_a_part_whose_remainder_is_small_is_hidden():
    """Twelve started, ten of them in time: showing both would show the two late ones."""
    facts = [assessment("family")] * 10 + [assessment("family", in_time=False)] * 2 + [assessment("work")] * 20
    shown = protect(assessment_figures(facts, period_from=JAN, period_to=DEC, by=Grouping.residence_basis), SMALLEST)
    family = next(row for row in shown.groups if row.group == "family")
    assert family.started == 12 and family.started_within_deadline is None and family.share_started_within_deadline is None
    # and the column of parts holds too: the family's hidden part is not the total's minus work's
    work = next(row for row in shown.groups if row.group == "work")
    assert shown.total.started_within_deadline is None or work.started_within_deadline is None


def test_large_enough_groups_show_everything():
    facts = [assessment("family")] * 6 + [assessment("work")] * 7
    shown = protect(assessment_figures(facts, period_from=JAN, period_to=DEC, by=Grouping.residence_basis), SMALLEST)
    assert all(not row.hidden for row in [*shown.groups, shown.total])
    assert [row.became_clients for row in shown.groups] == [6, 7]


def test_a_cross_tab_gives_nothing_away_beside_the_one_way_tables():
    """One woman of family basis, six of study basis (and no one else studies): the one-way table
    by basis shows the 6 students, so in the cross-tab the women's 6 students cannot hide the 1
    (7 women - 6 = 1): the other women's cell must hide with men's cells."""
    facts = [assessment("family")] + [assessment("study")] * 6 + [assessment("family", gender="male")] * 10 + [assessment("work", gender="male")] * 10
    true = assessment_figures(facts, period_from=JAN, period_to=DEC, by=Grouping.gender, across=Grouping.residence_basis)
    shown = protect(true, SMALLEST)
    assert attack(true, shown, GroupFigures) == []
    cells = {(row.group, row.across): row.became_clients for row in shown.cells}
    assert cells[("female", "family")] is None
    assert {row.across: row.became_clients for row in shown.across_groups}["study"] == 6  # as the one-way table shows it
    assert next(row for row in shown.groups if row.group == "female").became_clients == 7


def test_a_line_of_hidden_cells_together_under_five_takes_another():
    values = {"a": 1, "b": 2, "c": 30, "d": 40, "total": 73}
    hidden = hidden_cells(values, [Line(["a", "b", "c", "d"], "total")], SMALLEST)
    assert hidden == {"a", "b", "c"}  # 1 + 2 = 3 people would be known to be in a or b


# --- the attacker: every equation a reader has, and what it gives away ---------------------------


def _rows(figures) -> list:
    return [*figures.groups, *figures.across_groups, *figures.cells, figures.total]


def _key(row) -> tuple[str, str]:
    return (row.group, row.across or TOTAL)


def attack(true, shown, row_type) -> list[str]:
    """What a reader of `shown` learns that they must not: a count of 1–4 shown, or worked out
    from a line (cells adding up to a shown total) — as exactly one unknown cell, or as hidden
    cells that together hold 1–4 people. `true` are the figures before hiding."""
    problems = []
    real = {(_key(row), column): getattr(row, column) or 0 for row in _rows(true) for column in row_type.counts()}
    seen = {(_key(row), column): getattr(row, column) for row in _rows(shown) for column in row_type.counts()}
    if true.across is not None:  # a cell not listed counts no one, and the reader knows it
        firsts = {row.group for row in true.groups}
        seconds = {row.group if row.across is None else row.across for row in true.across_groups}
        for first in firsts:
            for second in seconds:
                for column in row_type.counts():
                    real.setdefault(((first, second), column), 0)
                    seen.setdefault(((first, second), column), 0)
    for key, column, value in one_way_views(true, row_type):  # the reader may ask for the one-way tables too
        if seen.get((key, column)) is None and value is not None:
            seen[(key, column)] = value
    for cell, value in seen.items():
        if value is not None and 0 < value < SMALLEST:
            problems.append(f"{cell} shows {value}")
        if value is not None and value != real[cell]:
            problems.append(f"{cell} shows {value}, not {real[cell]}")
    lines = []
    keys = {key for key, _column in real}
    firsts = {key[0] for key in keys if key[0] != TOTAL}
    seconds = {key[1] for key in keys if key[1] != TOTAL}
    for column in row_type.counts():
        lines.append(([((first, TOTAL), column) for first in firsts], ((TOTAL, TOTAL), column)))
        if true.across is not None:
            lines.append(([((TOTAL, second), column) for second in seconds], ((TOTAL, TOTAL), column)))
            for first in firsts:
                lines.append(([((first, s), column) for s in seconds if (first, s) in keys], ((first, TOTAL), column)))
            for second in seconds:
                lines.append(([((f, second), column) for f in firsts if (f, second) in keys], ((TOTAL, second), column)))
    for members, total in lines:
        if seen.get(total) is None:
            continue
        unknown = [cell for cell in members if cell in seen and seen[cell] is None]
        rest = seen[total] - sum(seen[cell] for cell in members if seen.get(cell) is not None)
        if len(unknown) == 1 and 0 < rest < SMALLEST:
            problems.append(f"{unknown[0]} worked out from {total}: {rest}")
        if len(unknown) > 1 and 0 < rest < SMALLEST:
            problems.append(f"{unknown} together hold {rest}, worked out from {total}")
    # A whole and its parts: what the parts leave (never shown) is people too. The reader knows
    # the whole minus the shown parts: the hidden parts and the remainder together.
    for key in keys:
        for whole, parts in row_type.PARTS.items():
            if seen[(key, whole)] is None:
                continue
            hidden_parts = [(key, part) for part in parts if seen[(key, part)] is None]
            together = seen[(key, whole)] - sum(seen[(key, part)] for part in parts if seen[(key, part)] is not None)
            remainder = real[(key, whole)] - sum(real[(key, part)] for part in parts)
            if 0 < together < SMALLEST:
                problems.append(f"{key} {whole} minus its shown parts gives {together}")
            if len(hidden_parts) == 1 and remainder == 0 and 0 < together < SMALLEST:
                problems.append(f"{hidden_parts[0]} worked out from {whole} (nothing else in it)")
    return problems


def one_way_views(true, row_type):
    """What the one-way tables of the same period show of a cross-tab's margins."""
    if true.across is None:
        return []
    views = []
    by = protect(true.model_copy(update={"across": None, "across_groups": [], "cells": []}), SMALLEST)
    views += [((row.group, TOTAL), column, getattr(row, column)) for row in [*by.groups, by.total] for column in row_type.counts()]
    flipped = [row.model_copy(update={"group": row.across, "across": None}) for row in true.across_groups]
    other = protect(true.model_copy(update={"across": None, "across_groups": [], "cells": [], "groups": flipped}), SMALLEST)
    views += [((TOTAL, row.group), column, getattr(row, column)) for row in other.groups for column in row_type.counts()]
    return views


BASES = ("family", "work", "study", "international_protection", "victim_of_trafficking")
GENDERS = ("female", "male", "other", None)
LANGUAGES = ("ar", "so", "ru", "uk", "fa")


def random_assessments(rng: random.Random) -> list[AssessmentFacts]:
    facts = []
    for _ in range(rng.randint(1, 60)):
        became = JAN + timedelta(days=rng.randint(-60, 300))
        started = became + timedelta(days=rng.randint(5, 90)) if rng.random() < 0.7 else None
        completed = started + timedelta(days=rng.randint(1, 40)) if started and rng.random() < 0.6 else None
        facts.append(AssessmentFacts(
            municipality_code=rng.choice(("109", "905", "837")), residence_basis=rng.choice(BASES), gender=rng.choice(GENDERS),
            native_language=rng.choice(LANGUAGES), plan_type=rng.choice(("basic", "multi_sectoral", None)),
            became_client_on=became, due_on=became + timedelta(days=60), started_on=started, completed_on=completed,
        ))
    return facts


def random_plans(rng: random.Random) -> list[PlanFacts]:
    facts = []
    for _ in range(rng.randint(1, 50)):
        plan_on = JAN + timedelta(days=rng.randint(-30, 330))
        measures = tuple(
            MeasureFacts(
                kind=rng.choice(("civic_orientation", "integration_training", "language_studies", "work_tryout")),
                started_on=plan_on + timedelta(days=rng.randint(0, 30)),
                completed_on=plan_on + timedelta(days=rng.randint(31, 200)) if rng.random() < 0.5 else None,
                hours=rng.choice((None, 10.0, 70.0)), cefr=rng.choice((None, "A2.2", "B1.1", "B2")),
                provider=rng.choice((None, "Opisto", "Kansalaisopisto")),
                interrupted_on=plan_on + timedelta(days=rng.randint(31, 200)) if rng.random() < 0.2 else None,
            )
            for _ in range(rng.randint(0, 3))
        )
        ended = rng.random() < 0.4
        facts.append(PlanFacts(
            municipality_code=rng.choice(("109", "905")), residence_basis=rng.choice(BASES), gender=rng.choice(GENDERS),
            native_language=rng.choice(LANGUAGES), plan_type=rng.choice(("basic", "multi_sectoral")),
            plan_start_due_on=plan_on + timedelta(days=rng.choice((-3, 10))), plan_on=plan_on,
            ended_on=plan_on + timedelta(days=rng.randint(30, 300)) if ended else None,
            end_reason=rng.choice(("employed", "studying", "moved_away", "declined", None)) if ended else None, measures=measures,
        ))
    return facts


GROUPINGS = list(Grouping)


@pytest.mark.parametrize("seed", range(180))
def test_no_random_table_gives_anyone_away(seed):
    rng = random.Random(seed)
    by = rng.choice(GROUPINGS)
    across = rng.choice([None, *(grouping for grouping in GROUPINGS if grouping != by)])
    if seed % 3 == 1:
        true = assessment_figures(random_assessments(rng), period_from=JAN, period_to=DEC, by=by, across=across)
        row_type = GroupFigures
    elif seed % 3 == 2:
        true = measure_figures(measures_of(random_plans(rng)), period_from=JAN, period_to=DEC, by=by, across=across)
        row_type = MeasureGroupFigures
    else:
        true = plan_figures(random_plans(rng), period_from=JAN, period_to=DEC, by=by, across=across)
        row_type = PlanGroupFigures
    shown = protect(true, SMALLEST)
    assert attack(true, shown, row_type) == []
    for row in _rows(shown):
        for column in row.hidden:
            assert getattr(row, column) is None
        for column, bases in row_type.DERIVED.items():
            if any(base in row.hidden for base in bases):
                assert getattr(row, column) is None, (row.group, row.across, column)
