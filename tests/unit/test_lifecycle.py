"""The case lifecycle (shared/lifecycle.py) walked whole: every fact a workflow can report, from
every state a case can be in, either moves the case to a real state or is refused with a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import lifecycle
from shared.contracts import (
    CASE_CLOSED,
    DOMAIN_EVENTS,
    STATUSES_BY_STAGE,
    AssessmentCompleted,
    CaseClosed,
    ClosureReason,
    DeadlineKind,
    PlanMade,
    Stage,
)
from shared.i18n import catalogue
from shared.lifecycle import CLOSES, OPENS, TRANSITIONS, Fact, FactRefused, domain_events, move

ROOT = Path(__file__).resolve().parents[2]
STATES = [(stage, status) for stage, statuses in STATUSES_BY_STAGE.items() for status in statuses]
WORKFLOWS = ["services/intake/workflows.py", "services/assessment/workflows.py", "services/planning/workflows.py",
             "services/planning/plan_clock.py"]


def facts_the_workflows_report() -> set[Fact]:
    """Every `Fact.<name>` the workflows name, and the closure facts (one per reason)."""
    named = {name for path in WORKFLOWS for name in re.findall(r"\bFact\.(\w+)", (ROOT / path).read_text())}
    return {Fact[name] for name in named} | {lifecycle.closure_fact(reason) for reason in ClosureReason}


def test_the_workflows_report_facts_of_the_table():
    reported = facts_the_workflows_report()
    assert {Fact.path_opened, Fact.assessment_completed_plan_needed, Fact.plan_made, Fact.closed_employed} <= reported
    # Every fact is reported: by the workflows by name, but intake's own (not_eligible, the triage
    # queue and guidance before any path, and the triage deadline passed, which the triage clock's
    # activity records) and the plan's passed referral deadline (MISSED_FACT picks it by the
    # deadline's kind).
    assert set(Fact) - reported == {
        Fact.not_eligible, Fact.triage_needed, Fact.guidance_offered, Fact.plan_referral_missed, Fact.triage_decision_missed,
    }
    for name in ("not_eligible", "triage_needed", "guidance_offered"):
        assert f"Fact.{name}" in (ROOT / "services/intake/service.py").read_text()
    assert "closure_fact(" in (ROOT / "services/intake/closure/service.py").read_text()
    assert "Fact.triage_decision_missed" in (ROOT / "services/intake/triage/service.py").read_text()
    assert lifecycle.MISSED_FACT[DeadlineKind.plan_referral] == Fact.plan_referral_missed


@pytest.mark.parametrize("fact", list(Fact), ids=lambda fact: fact.value)
def test_every_fact_from_every_state_moves_or_is_refused_with_a_reason(fact: Fact):
    moved_from = []
    for stage, status in STATES:
        try:
            target = move(stage, status, fact)
        except FactRefused as refused:
            reason = str(refused)
            assert fact.value in reason and status.value in reason  # says what was refused, and where the case is
            continue
        to_stage, to_status = target
        assert to_status in STATUSES_BY_STAGE[to_stage], f"{fact} leads {stage}/{status} to no real state"
        moved_from.append((stage, status))
    assert moved_from, f"{fact} fits no state at all"


def test_a_closed_case_takes_no_fact():
    for status in STATUSES_BY_STAGE[Stage.closed]:
        for fact in Fact:
            if (status, fact) == ("not_eligible", Fact.path_opened):
                continue  # a victim of trafficking past the window: staff set the limit aside
            with pytest.raises(FactRefused, match="closed"):
                move(Stage.closed, status, fact)


def test_a_passed_triage_deadline_leaves_the_case_in_the_queue():
    assert move(Stage.intake, "needs_triage", Fact.triage_decision_missed) == (Stage.intake, "needs_triage")
    assert domain_events(Fact.triage_decision_missed, Stage.intake, {"due_on": "2027-02-01"}, "x") == [
        ("fi.kotopolku.deadline.passed.v1", {"kind": "triage_decision", "due_on": "2027-02-01"})
    ]


def test_the_path_opens_later_for_who_was_offered_guidance_or_triaged_or_past_the_window():
    for stage, status in ((Stage.intake, "guidance_offered"), (Stage.intake, "needs_triage"), (Stage.closed, "not_eligible")):
        assert move(stage, status, Fact.path_opened) == (Stage.assessment, "awaiting_assessment")
    with pytest.raises(FactRefused):
        move(Stage.intake, "guidance_offered", Fact.assessment_started)


def test_intakes_own_moves_before_any_path_are_facts_of_the_table():
    from services.intake.models import CASE_TRANSITIONS

    assert move(Stage.intake, "received", Fact.triage_needed) == (Stage.intake, "needs_triage")
    assert move(Stage.intake, "received", Fact.guidance_offered) == (Stage.intake, "guidance_offered")
    assert move(Stage.intake, "needs_triage", Fact.guidance_offered) == (Stage.intake, "guidance_offered")
    assert OPENS[Fact.triage_needed] == (DeadlineKind.triage_decision,)
    assert DeadlineKind.triage_decision in CLOSES[Fact.guidance_offered] and DeadlineKind.triage_decision in CLOSES[Fact.path_opened]
    for status in ("needs_triage", "guidance_offered"):  # closed with a reason before any path began
        assert move(Stage.intake, status, Fact.closed_declined) == (Stage.closed, "declined")
        assert domain_events(Fact.closed_declined, Stage.intake, {"closed_on": "2027-02-01"}, "x") == [
            (CASE_CLOSED, {"reason": "declined", "closed_on": "2027-02-01"})
        ]
    with pytest.raises(FactRefused):
        move(Stage.intake, "guidance_offered", Fact.triage_needed)
    # Intake moves nothing outside the table (fact-less changes of old workers included).
    assert CASE_TRANSITIONS == lifecycle.moves()


def test_the_path_goes_from_registration_to_closure():
    state = (Stage.intake, STATUSES_BY_STAGE[Stage.intake][0])
    for fact in (Fact.path_opened, Fact.assessment_scheduled, Fact.assessment_start_missed, Fact.assessment_rescheduled,
                 Fact.assessment_started, Fact.assessment_completed_plan_needed, Fact.plan_start_missed, Fact.plan_made,
                 Fact.measure_added, Fact.service_reported, Fact.plan_review_missed, Fact.plan_reviewed,
                 Fact.plan_end_passed, Fact.plan_extended, Fact.closed_employed):
        state = move(*state, fact)
    assert state == (Stage.closed, "employed")
    # A passed deadline stays visible when the interview is booked after it.
    assert move(Stage.assessment, "assessment_overdue", Fact.assessment_scheduled) == (Stage.assessment, "assessment_overdue")


def test_the_deadlines_each_fact_opens_and_closes():
    assert OPENS[Fact.path_opened] == (DeadlineKind.assessment_start,)
    assert OPENS[Fact.assessment_completed_plan_needed] == (DeadlineKind.plan_start,)
    assert set(OPENS[Fact.plan_made]) == {DeadlineKind.plan_referral, DeadlineKind.plan_review, DeadlineKind.plan_end}
    assert DeadlineKind.plan_start in CLOSES[Fact.plan_made]
    # Every fact that ends the case closes every deadline, and opens none.
    for (_, _, fact), (stage, _) in TRANSITIONS.items():
        if stage == Stage.closed:
            assert set(CLOSES[fact]) == set(DeadlineKind) and fact not in OPENS


def test_each_fact_has_words_in_finnish_swedish_and_english():
    texts = catalogue()
    for code in [fact.value for fact in Fact] + ["service.started", "service.completed", "service.interrupted"]:
        words = texts.get(f"dashboard.reason.{code}")
        assert words is not None and {"fi", "sv", "en"} <= set(words), code
        assert len({words["fi"], words["sv"], words["en"]}) == 3, code  # really translated


def test_the_three_fixed_events_carry_exactly_the_contracts_fields():
    ids = {"case_id", "client_id", "municipality_code"}
    assert set(AssessmentCompleted.model_fields) == ids | {"completed_on", "plan_needed"}
    assert set(PlanMade.model_fields) == ids | {"plan_type", "made_on"}
    assert set(CaseClosed.model_fields) == ids | {"reason", "closed_on"}


def test_the_facts_domain_events():
    assert domain_events(Fact.plan_made, Stage.planning, {"plan_type": "individual", "made_on": "2027-01-02"}, "2027-01-02") == [
        ("fi.kotopolku.plan.made.v1", {"plan_type": "individual", "made_on": "2027-01-02"})
    ]
    done = domain_events(Fact.assessment_completed_plan_not_needed, Stage.assessment,
                         {"completed_on": "2027-01-02", "plan_needed": False}, "2027-01-03")
    assert [event_type for event_type, _ in done] == ["fi.kotopolku.assessment.completed.v1", CASE_CLOSED]
    assert done[1][1] == {"reason": "plan_not_needed", "closed_on": "2027-01-02"}
    closed = domain_events(Fact.closed_employed, Stage.follow_up, {"closed_on": "2027-05-01"}, "2027-05-01")
    assert [event_type for event_type, _ in closed] == ["fi.kotopolku.plan.ended.v1", CASE_CLOSED]
    assert domain_events(Fact.closed_employed, Stage.assessment, {}, "2027-05-01") == [
        (CASE_CLOSED, {"reason": "employed", "closed_on": "2027-05-01"})
    ]
    referred = domain_events(Fact.measure_updated, Stage.follow_up, {"status": "referred", "service_code": "K1", "on": "2027-02-01"}, "x")
    assert referred == [("fi.kotopolku.measure.referred.v1", {"service_code": "K1", "on": "2027-02-01"})]
    assert domain_events(Fact.measure_added, Stage.follow_up, {"status": "planned"}, "x") == []
    passed = domain_events(Fact.plan_start_missed, Stage.planning, {"due_on": "2027-02-01"}, "x")
    assert passed == [("fi.kotopolku.deadline.passed.v1", {"kind": "plan_start", "due_on": "2027-02-01"})]
    # Every event any fact publishes is a documented domain event.
    for fact in Fact:
        for status in ("referred", "started", "completed", "interrupted"):
            for event_type, _ in domain_events(fact, Stage.follow_up, {"status": status}, "2027-01-01"):
                assert event_type in DOMAIN_EVENTS
