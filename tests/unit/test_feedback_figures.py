"""The feedback figures on their own: answers per group, those finding it useful and those who
understood the language, the mean; a count of one to four is hidden, and so is whatever would
give it away (a total and the other groups, a whole and its part)."""

from __future__ import annotations

from datetime import date

from services.notifications.feedback.service import AnswerFacts, feedback_figures
from shared.figures import Grouping

JANUARY = date(2027, 1, 1)


def answers(provider: str, *given: tuple[int, str]) -> list[AnswerFacts]:
    return [
        AnswerFacts(municipality_code="091", provider=provider, measure_kind="language_studies", month=JANUARY, usefulness=useful, understood=understood)
        for useful, understood in given
    ]


def figures(facts: list[AnswerFacts]):
    return feedback_figures(facts, period_from=JANUARY, period_to=date(2027, 1, 31), by=Grouping.provider, smallest=5)


def test_groups_of_five_or_more_are_shown_with_their_mean():
    shown = figures(answers("A", *[(5, "yes")] * 6, *[(2, "no")] * 5) + answers("B", *[(4, "yes")] * 5))
    a, b = shown.groups
    assert (a.group, a.answers, a.useful, a.understood, a.usefulness_mean, a.hidden) == ("A", 11, 6, 6, round(40 / 11, 2), [])
    assert (b.group, b.answers, b.useful, b.understood, b.usefulness_mean, b.hidden) == ("B", 5, 5, 5, 4.0, [])
    assert (shown.total.answers, shown.total.useful, shown.total.understood) == (16, 11, 11)


def test_a_part_whose_rest_is_under_five_is_hidden_and_cannot_be_worked_out_from_the_others():
    # A's "did not understand" is two: A's `understood` can't be shown, and then neither can the
    # total's or a second group's (else the total minus the others would give it).
    shown = figures(answers("A", *[(5, "yes")] * 8, *[(5, "no")] * 2) + answers("B", *[(4, "yes")] * 10) + answers("C", *[(4, "yes")] * 12))
    rows = {row.group: row for row in shown.groups}
    assert rows["A"].understood is None and "understood" in rows["A"].hidden
    assert sum(row.understood is None for row in [*rows.values(), shown.total]) >= 2
    assert all(row.useful is not None for row in rows.values())  # everyone found it useful: nothing to hide there
    assert rows["C"].answers == 12 and shown.total.answers == 32


def test_a_group_under_five_is_hidden_with_another_so_that_the_total_does_not_give_it_away():
    shown = figures(answers("A", *[(4, "yes")] * 3) + answers("B", *[(5, "yes")] * 6) + answers("C", *[(3, "yes")] * 7))
    rows = {row.group: row for row in shown.groups}
    assert rows["A"].answers is None and rows["A"].usefulness_mean is None
    assert rows["B"].answers is None  # the smallest other group hides with it
    assert rows["C"].answers == 7 and shown.total.answers == 16


def test_nothing_answered_nothing_shown():
    shown = figures([])
    assert shown.groups == [] and shown.total.answers == 0 and shown.total.usefulness_mean is None


def test_plans_and_assessments_group_by_the_interpreter_booked_for_the_interview():
    from services.planning.figures.compute import plan_facts

    record = {"municipality_code": "091", "plan_start_due_on": JANUARY, "interpreter_language": "prs", "measures": []}
    assert plan_facts(record, "B1.1").group(Grouping.interpreter_language, JANUARY) == "prs"
    assert plan_facts({**record, "interpreter_language": None}, "B1.1").group(Grouping.interpreter_language, JANUARY) == "unknown"
