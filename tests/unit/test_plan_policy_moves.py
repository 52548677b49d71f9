"""Which of a plan's open deadlines a changed policy moves (services/planning/deadlines.py
policy_due, the same rule for `policy diff` and the running plan), and what the preview lists."""

from __future__ import annotations

import uuid
from datetime import date

from services.planning import policy as planning_policy
from services.planning.deadlines import policy_due
from services.planning.records import PlanRecord, Review
from shared.contracts import DeadlineKind
from shared.policy import PolicyBook, add_months, load_policy, plan_timings

TIMINGS = plan_timings(load_policy().default)
MADE = date(2027, 1, 4)


def awaiting(**fields) -> PlanRecord:
    values = dict(plan_id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109",
                  assessment_completed_on=MADE, plan_start_due_on=date(2027, 1, 18))
    return PlanRecord(**{**values, **fields})


def active(**fields) -> PlanRecord:
    values = dict(status="active", plan_on=MADE, first_plan_on=MADE, ends_on=add_months(MADE, 12),
                  referral_due_on=add_months(MADE, TIMINGS.referral_months), review_due_on=add_months(MADE, TIMINGS.review_months))
    return awaiting(**{**values, **fields})


def test_a_waiting_plan_s_start_follows_the_days_from_the_assessment():
    assert policy_due(awaiting(), TIMINGS.model_copy(update={"plan_start_days": 30})) == {DeadlineKind.plan_start: date(2027, 2, 3)}


def test_an_active_plan_s_referral_and_review_follow_but_not_its_end():
    due = policy_due(active(), TIMINGS.model_copy(update={"referral_months": 3, "review_months": 4, "first_plan_max_months": 6}))
    assert due == {DeadlineKind.plan_referral: add_months(MADE, 3), DeadlineKind.plan_review: add_months(MADE, 4)}


def test_a_met_referral_does_not_move_and_a_longer_review_interval_keeps_the_date_set():
    plan = active(referral_met_on=date(2027, 2, 1), reviews=[
        Review(review_id=uuid.uuid4(), reviewed_on=date(2027, 3, 1), next_review_on=date(2027, 5, 1))
    ], review_due_on=date(2027, 5, 1))
    assert policy_due(plan, TIMINGS.model_copy(update={"review_months": 12})) == {DeadlineKind.plan_review: date(2027, 5, 1)}
    # Shorter: no later than that long after the last review.
    assert policy_due(plan, TIMINGS.model_copy(update={"review_months": 1})) == {DeadlineKind.plan_review: date(2027, 4, 1)}


def test_ended_plans_have_nothing_to_move():
    assert policy_due(active(status="ended"), TIMINGS) == {}


def test_the_preview_lists_moves_by_each_municipality_s_numbers_with_the_version_they_came_from():
    book = PolicyBook({**load_policy().content["defaults"], "plan_start_days": 21}, {"049": {"plan_start_days": 14}})
    helsinki, espoo = awaiting(policy_version="old"), awaiting(municipality_code="049")
    assert planning_policy.moves_of(espoo, book, on=MADE) == []  # the same day under 049's numbers
    [move] = planning_policy.moves_of(helsinki, book, on=date(2027, 1, 20))
    assert (move.kind, move.due_on, move.moves_to, move.from_version, move.passed) == (
        DeadlineKind.plan_start, date(2027, 1, 18), date(2027, 1, 25), "old", True
    )
