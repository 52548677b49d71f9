"""The groups the projects reach (shared/client_groups.py), as pure rules: every group, the young
people's age limit from the policy, the figures' group, the service map's groups, the staff
command's body, suggestions matching a client's groups and the county participant of a review."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.intake.groups.service import ClientGroupsDecision
from services.intake.models import ClientGroups
from services.planning.commands import ReviewPlan
from services.planning.figures.compute import plan_facts, plan_figures
from services.planning.figures.models import Grouping
from services.planning import participants
from services.planning.records import PlanRecord
from services.planning.servicemap.models import ServiceMapEntry
from services.planning.servicemap.service import for_groups
from shared import client_groups as groups
from shared.figures import protect
from shared.policy import load_policy

ON = date(2027, 3, 1)


def test_the_age_limit_of_young_people_is_the_policys_and_its_default_is_under_30():
    below = load_policy().default.young_people_below_age
    assert below == 30 == groups.young_below_age()
    assert groups.is_young(date(1997, 3, 2), ON, below)  # 29 the day before their birthday
    assert not groups.is_young(date(1997, 3, 1), ON, below)  # 30 on the day
    assert not groups.is_young(None, ON, below)
    assert groups.is_young(date(1997, 3, 1), ON, 31)  # a policy's other number moves the limit


@pytest.mark.parametrize("group", groups.RECORDED)
def test_every_recorded_group_is_kept_from_the_registration_and_shown_in_order(group):
    recorded = groups.recorded_at_registration(stated=[group], residence_basis="work", target_group=None)
    assert recorded == [group]
    assert groups.groups_on(recorded, date(1960, 1, 1), ON, 30) == [group]
    assert groups.groups_on(recorded, date(2005, 1, 1), ON, 30) == ["young_people", group]


def test_what_the_registration_says_by_itself():
    # A `family` residence basis: a family migrant; the target group unaccompanied_minor: an unaccompanied minor.
    assert groups.recorded_at_registration(stated=[], residence_basis="family", target_group=None) == ["family_migrants"]
    assert groups.recorded_at_registration(stated=[], residence_basis="international_protection", target_group="unaccompanied_minor") == [
        "unaccompanied_minors"]
    assert groups.recorded_at_registration(stated=["disabled", "stay_at_home_parents", "disabled"], residence_basis="family", target_group=None) == [
        "stay_at_home_parents", "disabled", "family_migrants"]
    # young_people is never recorded: it is worked out from the birth date on the day asked about.
    assert groups.ordered(["young_people", "disabled"]) == ["disabled"]


def test_an_unaccompanied_minor_comes_with_a_guardian_or_representative():
    with pytest.raises(ValidationError) as refused:
        ClientGroups(client_groups=["unaccompanied_minors"])
    assert refused.value.errors()[0]["loc"] == ("guardian",)
    given = ClientGroups(client_groups=["unaccompanied_minors"], guardian={"role": "representative", "name": "Edustaja Eeva"})
    assert given.guardian.role == "representative"
    with pytest.raises(ValidationError):
        ClientGroups(client_groups=["young_people"])  # worked out, never stated
    with pytest.raises(ValidationError):
        ClientGroupsDecision(client_groups=["disabled"])  # a staff decision names its reason
    assert ClientGroupsDecision(client_groups=[], reason="Ei enää kotivanhempi").client_groups == []


def test_the_figures_group_counts_each_client_once():
    assert groups.figure_group(["family_migrants"], date(2000, 1, 1), ON, 30) == "young_people+family_migrants"
    assert groups.figure_group([], date(1960, 1, 1), ON, 30) == "none"
    assert groups.figure_group(None, date(2000, 1, 1), ON, 30) is None  # not recorded: `unknown`


def test_the_service_maps_groups_add_what_the_registration_says():
    assert groups.map_groups(["disabled"], date(2012, 1, 1), ON, 30, residence_basis="quota_refugee") == [
        "young_people", "disabled", "children", "refugees"]
    assert groups.map_groups([], date(1980, 1, 1), ON, 30, residence_basis="work", jobseeker=True) == ["jobseekers", "work_migrants"]
    assert groups.map_groups([], date(1980, 1, 1), ON, 30, target_group="trafficking_victim") == ["trafficking_victims"]


def entry(*client_groups: str) -> ServiceMapEntry:
    return ServiceMapEntry(
        service_code="X", region="Kanta-Häme", municipality_codes=[], names={"fi": "x", "sv": "x", "en": "x"}, kind="mentoring",
        provider="P", languages=["fi"], delivery="on_site", client_groups=list(client_groups), updated_at=datetime.now(timezone.utc),
    )


def test_a_suggestion_is_for_everyone_or_for_a_group_of_the_clients():
    assert for_groups(entry("all"), ["young_people"]) == []
    assert for_groups(entry("young_people", "disabled"), ["young_people", "family_migrants"]) == ["young_people"]
    assert for_groups(entry("stay_at_home_parents"), ["young_people"]) is None  # not the client's group: not suggested
    assert for_groups(entry("stay_at_home_parents"), None) == []  # groups never recorded: nobody is left without a service


def test_the_figures_group_by_the_projects_groups_and_hide_small_ones():
    young = {"birth_date": "2000-05-01"}
    records = [
        *[{"client_groups": ["family_migrants"], **young} for _ in range(5)],
        *[{"client_groups": [], "birth_date": "1970-01-01"} for _ in range(6)],
        {"client_groups": ["disabled"], "birth_date": "1970-01-01"},  # one of a kind: hidden
        {"birth_date": "1970-01-01"},  # a path begun before groups were recorded: unknown
    ]
    facts = [plan_facts({"municipality_code": "109", "plan_start_due_on": "2027-02-14", "plan_on": "2027-02-10", "measures": [], **r}, "B1.1")
             for r in records]
    figures = plan_figures(facts, by=Grouping.client_group, period_from=date(2027, 1, 1), period_to=date(2027, 6, 30))
    assert [(row.group, row.plans_made) for row in figures.groups] == [
        ("disabled", 1), ("none", 6), ("young_people+family_migrants", 5), ("unknown", 1)]
    shown = protect(figures, 5)
    hidden = {row.group: row.plans_made for row in shown.groups}
    # The two ones are hidden, and beside them another group, so that they cannot be worked out from the total.
    assert hidden["disabled"] is None and hidden["unknown"] is None and hidden["young_people+family_migrants"] is None
    assert hidden["none"] == 6
    assert shown.total.plans_made == 13


def plan(type_: str, **more) -> PlanRecord:
    return PlanRecord(plan_id=uuid4(), case_id=uuid4(), client_id=uuid4(), municipality_code="109", assessment_completed_on=ON,
                      plan_start_due_on=ON, type=type_, **more)


def test_a_multi_sectoral_plans_review_records_the_county_participant():
    record = plan("multi_sectoral", wellbeing_county_participant="Liisa Laine", wellbeing_county_participant_sub="kh-liisa")
    assert participants.of_review(record, ReviewPlan()) == {"wellbeing_county_participant": "Liisa Laine", "wellbeing_county_participant_sub": "kh-liisa"}
    chosen = ReviewPlan(wellbeing_county_participant_sub="kh-olli", wellbeing_county_participant="Olli Ojala")
    assert participants.of_review(record, chosen)["wellbeing_county_participant"] == "Olli Ojala"
    assert record.wellbeing_county_participant_sub == "kh-olli"  # and the plan's participant from then on
    assert participants.of_review(plan("individual"), ReviewPlan()) == {}


def test_the_registration_may_state_the_groups_and_must_name_a_minors_guardian():
    from services.intake.models import ResidentRegistered

    data = {
        "person": {"given_names": "Nuori", "family_name": "Hassan", "birth_date": "2010-01-01", "nationality": "SO", "native_language": "so"},
        "external_ref": "r-1", "municipality_code": "109", "registered_on": "2027-01-10", "first_permit_or_registration_on": "2027-01-01",
        "residence_basis": "international_protection",
    }
    assert ResidentRegistered.model_validate(data).client_groups == []  # optional: older registers send none
    with pytest.raises(ValidationError) as refused:
        ResidentRegistered.model_validate({**data, "client_groups": ["unaccompanied_minors"]})
    assert [error["loc"] for error in refused.value.errors()] == [("guardian",)]
    stated = ResidentRegistered.model_validate({**data, "client_groups": ["unaccompanied_minors"],
                                                "guardian": {"role": "guardian", "name": "Huoltaja Hilkka"}})
    assert (stated.client_groups, stated.guardian.name) == (["unaccompanied_minors"], "Huoltaja Hilkka")
