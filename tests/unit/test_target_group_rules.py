"""Who is owed an assessment (Act 681/2023): the registration's rule over every residence basis and
stated group, and the staff decision, including the trafficking victim's time limit."""

from __future__ import annotations

import pytest

from services.intake.identity import (
    GUIDANCE_BASES,
    TARGET_GROUPS,
    Admission,
    DecisionRefused,
    Eligibility,
    decide_admission,
    decide_by_staff,
    decide_lead,
    decide_lead_by_staff,
)
from services.intake.models import ResidenceBasis

WITHIN = Eligibility(True, "within_window")
PASSED = Eligibility(False, "window_passed")
BASES: tuple[str, ...] = ResidenceBasis.__args__  # type: ignore[attr-defined]


def admit(basis: str, *, stated: str | None = None, jobseeker: bool = False, eligibility: Eligibility = WITHIN) -> Admission:
    return decide_admission(residence_basis=basis, stated_group=stated, jobseeker=jobseeker, eligibility=eligibility)


@pytest.mark.parametrize(
    "basis, expected",
    [
        ("international_protection", Admission("client", "international_protection", "residence_basis")),
        ("quota_refugee", Admission("client", "international_protection", "residence_basis")),
        ("trafficking_victim", Admission("client", "trafficking_victim", "residence_basis")),
        ("work", Admission("guidance", None, "residence_basis")),
        ("study", Admission("guidance", None, "residence_basis")),
        ("eu_registration", Admission("guidance", None, "residence_basis")),
        ("nordic", Admission("guidance", None, "residence_basis")),
        # Family of a refugee, or of a worker? Staff decide; so for the other unclear bases.
        ("family", Admission("triage", None, "residence_basis_unclear")),
        ("temporary_protection", Admission("triage", None, "residence_basis_unclear")),
        ("returnee", Admission("triage", None, "residence_basis_unclear")),
        ("other", Admission("triage", None, "residence_basis_unclear")),
    ],
)
def test_the_residence_basis_alone_decides_the_clear_and_sends_the_unclear_to_staff(basis, expected):
    assert admit(basis) == expected


def test_every_residence_basis_has_a_rule():
    assert {admit(basis).outcome for basis in BASES} == {"client", "guidance", "triage"}
    assert GUIDANCE_BASES <= set(BASES)


@pytest.mark.parametrize("group", TARGET_GROUPS)
def test_a_group_the_register_states_wins_over_the_residence_basis(group):
    assert admit("work", stated=group) == Admission("client", group, "stated_by_register")
    assert admit("family", stated=group) == Admission("client", group, "stated_by_register")


def test_the_register_may_state_no_target_group():
    assert admit("family", stated="none") == Admission("guidance", None, "stated_by_register")
    assert admit("international_protection", stated="none") == Admission("guidance", None, "stated_by_register")


def test_an_unemployed_jobseeker_is_the_employment_authoritys_client_with_the_clock_running():
    assert admit("work", jobseeker=True) == Admission("client", "jobseeker", "jobseeker")
    assert decide_lead(jobseeker=True) == "employment_authority"
    assert decide_lead(jobseeker=False) == "municipality"
    # What the register states still wins.
    assert admit("work", jobseeker=True, stated="social_assistance").target_group == "social_assistance"


def test_outside_the_window_no_one_is_admitted_but_a_trafficking_victim_goes_to_staff():
    assert admit("international_protection", eligibility=PASSED) == Admission("not_eligible", None, "window_passed")
    assert admit("work", stated="social_assistance", eligibility=PASSED) == Admission("not_eligible", None, "window_passed")
    assert admit("trafficking_victim", eligibility=PASSED) == Admission("triage", "trafficking_victim", "trafficking_window_passed")
    assert admit("family", stated="trafficking_victim", eligibility=PASSED).outcome == "triage"
    assert admit("trafficking_victim", eligibility=Eligibility(False, "future_date")).outcome == "not_eligible"


def staff(status: str, group: str | None, *, reason: str = "within_window", set_aside: bool = False) -> Admission:
    return decide_by_staff(status=status, eligibility_reason=reason, target_group=group, set_aside_time_limit=set_aside)


@pytest.mark.parametrize("group", TARGET_GROUPS)
def test_staff_decide_a_target_group_from_the_queue_or_from_guidance(group):
    assert staff("needs_triage", group) == Admission("client", group, "staff_decision")
    assert staff("guidance_offered", group) == Admission("client", group, "staff_decision")


def test_staff_decide_no_target_group_once():
    assert staff("needs_triage", None) == Admission("guidance", None, "staff_decision")
    with pytest.raises(DecisionRefused, match="guidance_already_offered"):
        staff("guidance_offered", None)


@pytest.mark.parametrize("status", ["awaiting_assessment", "assessment_in_progress", "plan_active", "completed", "received"])
def test_a_case_on_its_path_or_closed_is_not_decided_again(status):
    with pytest.raises(DecisionRefused, match="target_group_already_decided"):
        staff(status, "social_assistance")


def test_the_trafficking_victims_time_limit_is_set_aside_only_by_a_decision_that_says_so():
    # In the queue past the window: without the set-aside the limit stands.
    with pytest.raises(DecisionRefused, match="time_limit_passed"):
        staff("needs_triage", "trafficking_victim", reason="window_passed")
    assert staff("needs_triage", "trafficking_victim", reason="window_passed", set_aside=True) == Admission(
        "client", "trafficking_victim", "time_limit_set_aside"
    )
    # Recorded as not eligible before (or by another basis): the set-aside opens it, nothing else does.
    assert staff("not_eligible", "trafficking_victim", reason="window_passed", set_aside=True).outcome == "client"
    with pytest.raises(DecisionRefused, match="time_limit_passed"):
        staff("not_eligible", "trafficking_victim", reason="window_passed")
    with pytest.raises(DecisionRefused, match="time_limit_passed"):
        staff("not_eligible", "social_assistance", reason="window_passed")
    with pytest.raises(DecisionRefused, match="target_group_already_decided"):
        staff("not_eligible", "trafficking_victim", reason="future_date", set_aside=True)
    # Within the window the set-aside changes nothing but is allowed; for anyone else it is refused.
    assert staff("needs_triage", "trafficking_victim", set_aside=True).reason == "staff_decision"
    for group in set(TARGET_GROUPS) - {"trafficking_victim"}:
        with pytest.raises(DecisionRefused, match="time_limit_set_aside_only_for_trafficking"):
            staff("needs_triage", group, reason="window_passed", set_aside=True)


# --- who leads, both ways ------------------------------------------------------------------------


def test_a_jobseeker_is_led_by_the_employment_authority_and_returns_to_the_municipality_when_leaving_job_search():
    assert decide_lead(jobseeker=True) == "employment_authority"
    assert decide_lead(jobseeker=False) == "municipality"  # left job search (jobseeker.deregistered)


def test_staff_hand_a_client_who_is_not_a_jobseeker_to_the_employment_authority_and_back():
    assert decide_lead_by_staff(lead="municipality", jobseeker=False, to="employment_authority") == "employment_authority"
    assert decide_lead_by_staff(lead="employment_authority", jobseeker=False, to="municipality") == "municipality"


def test_a_jobseeker_stays_with_the_employment_authority_and_an_unchanged_lead_is_refused():
    with pytest.raises(DecisionRefused, match="jobseeker_led_by_employment_authority"):
        decide_lead_by_staff(lead="employment_authority", jobseeker=True, to="municipality")
    for lead in ("municipality", "employment_authority"):
        with pytest.raises(DecisionRefused, match="lead_unchanged"):
            decide_lead_by_staff(lead=lead, jobseeker=False, to=lead)
