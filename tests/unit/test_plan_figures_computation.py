"""The plan figures from plain facts (services/planning/figures/compute.py): no database, no clock."""

from __future__ import annotations

from datetime import date

from services.planning.figures.compute import figures_csv, level_rank, plan_facts, plan_figures, reaches
from services.planning.figures.models import COLUMNS, Grouping

PERIOD = dict(period_from=date(2027, 1, 1), period_to=date(2027, 6, 30))


def record(municipality="109", plan_on="2027-02-10", due="2027-02-14", gender="female", basis="work", language="so", measures=(), **more):
    return {
        "municipality_code": municipality, "plan_start_due_on": due, "plan_on": plan_on, "gender": gender,
        "residence_basis": basis, "native_language": language, "measures": list(measures), **more,
    }


def measure(kind, status, starts_on=None, ends_on=None, hours=None, reports=(), outcome=None):
    return {"kind": kind, "status": status, "starts_on": starts_on, "ends_on": ends_on, "hours": hours, "reports": list(reports), "outcome": outcome}


def test_plans_measures_language_levels_and_endings_count_in_the_period_they_happened():
    records = [
        # Made in time; language studies reported started and completed at B1.1; civic orientation completed; employed.
        record(measures=[
            measure("language_studies", "completed", "2027-02-15", "2027-05-31",
                    reports=[{"status": "started", "on": "2027-02-20"}, {"status": "completed", "on": "2027-05-30"}],
                    outcome={"language": "fi", "cefr": "B1.1"}),
            measure("civic_orientation", "completed", "2027-03-01", "2027-04-15", hours=70),
        ], ended_on="2027-06-01", end_reason="closed", closure_reason="employed"),
        # Made late (in Vaasa, male); integration training completed at A2.2 (below the target); still running.
        record(municipality="905", plan_on="2027-03-01", due="2027-02-20", gender="male", measures=[
            measure("integration_training", "completed", "2027-03-05", "2027-06-20", outcome={"language": "sv", "cefr": "A2.2"}),
            measure("work_try_out", "planned", "2027-07-01"),
        ]),
        # Made before the period: only its ending (time limit) and a measure started in it count.
        record(plan_on="2026-05-01", due="2026-05-10", gender=None, measures=[measure("school", "started", "2027-01-10")],
               ended_on="2027-04-30", end_reason="time_limit"),
        # Made after the period: nothing.
        record(plan_on="2027-07-02", due="2027-07-10"),
    ]
    facts = [plan_facts(r, "B1.1") for r in records]
    figures = plan_figures(facts, by=Grouping.gender, **PERIOD)
    total = figures.total
    assert (total.plans_made, total.made_within_deadline, total.share_made_within_deadline) == (2, 1, 0.5)
    assert (total.measures_started, total.measures_completed) == (4, 3)
    assert total.civic_orientation_hours == 70.0
    assert (total.language_levels_recorded, total.reached_language_target, total.share_reached_language_target) == (2, 1, 0.5)
    assert (total.plans_ended, total.ended_employed, total.ended_time_limit, total.ended_other) == (2, 1, 1, 0)
    assert [row.group for row in figures.groups] == ["female", "male", "unknown"]
    female = figures.groups[0]
    assert (female.plans_made, female.reached_language_target, female.ended_employed) == (1, 1, 1)

    by_municipality = plan_figures(facts, by=Grouping.municipality, **PERIOD)
    assert [(row.group, row.plans_made) for row in by_municipality.groups] == [("109", 1), ("905", 1)]


def test_the_language_target_is_the_policys_and_levels_compare_in_cefr_order():
    assert level_rank("A1.1") < level_rank("B1.1") < level_rank("B1.2") < level_rank("C2")
    assert reaches("B1.2", "B1.1") and reaches("B1.1", "B1.1") and not reaches("A2.2", "B1.1")
    assert reaches("B2", "B1.1") and not reaches(None, "B1.1") and not reaches("fluent", "B1.1")
    completed = measure("language_studies", "completed", "2027-02-01", "2027-03-01", outcome={"cefr": "A2.2"})
    assert plan_figures([plan_facts(record(measures=[completed]), "A2.1")], by=Grouping.municipality, **PERIOD).total.reached_language_target == 1


def test_nothing_in_the_period_gives_no_groups_and_null_shares():
    figures = plan_figures([], by=Grouping.residence_basis, **PERIOD)
    assert figures.groups == [] and figures.total.plans_made == 0 and figures.total.share_made_within_deadline is None


def test_the_csv_is_for_finnish_and_swedish_spreadsheets():
    facts = [plan_facts(record(plan_on="2027-02-10", due="2027-02-14"), "B1.1"), plan_facts(record(plan_on="2027-03-01", due="2027-02-14"), "B1.1"),
             plan_facts(record(plan_on="2027-03-02", due="2027-02-14"), "B1.1")]
    figures = plan_figures(facts, by=Grouping.municipality, **PERIOD)
    data = figures_csv(figures, {"group": "Ryhmä", "plans_made": "Laaditut suunnitelmat"})
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(";")[:2] == ["Ryhmä", "Laaditut suunnitelmat"] and len(lines[0].split(";")) == len(COLUMNS)
    assert lines[1].split(";")[:4] == ["109", "3", "1", "0,333"]
    assert lines[2].startswith("all;3;")


def test_the_days_from_a_referral_to_the_start_of_the_measure():
    referred = {"kind": "integration_training", "status": "started", "referred_on": "2027-02-01", "reports": [{"status": "started", "on": "2027-02-11"}]}
    quick = {**referred, "referred_on": "2027-02-09"}
    unreferred = {"kind": "school", "status": "started", "starts_on": "2027-02-05", "reports": []}  # planned before referrals were kept
    facts = [plan_facts(record(measures=[referred, quick, unreferred]), "B1.1")]
    total = plan_figures(facts, by=Grouping.municipality, **PERIOD).total
    assert (total.measures_started, total.measures_started_after_referral, total.median_days_referral_to_start) == (3, 2, 6.0)
    none = plan_figures([plan_facts(record(measures=[unreferred]), "B1.1")], by=Grouping.municipality, **PERIOD).total
    assert (none.measures_started_after_referral, none.median_days_referral_to_start) == (0, None)


def test_measures_count_by_kind_and_by_provider_in_the_period_they_happened():
    from services.planning.figures.compute import measure_figures, measures_of

    records = [
        record(measures=[
            {**measure("language_studies", "completed", "2027-02-15", "2027-05-31", hours=300,
                       reports=[{"status": "started", "on": "2027-02-20"}, {"status": "completed", "on": "2027-05-30"}]), "provider": "Opisto"},
            {**measure("civic_orientation", "interrupted", "2027-03-01", "2027-04-15", hours=70,
                       reports=[{"status": "interrupted", "on": "2027-03-20"}]), "provider": "Opisto"},
        ]),
        record(measures=[
            {**measure("language_studies", "started", "2027-06-01"), "provider": "Kansalaisopisto"},
            measure("language_studies", "completed", "2026-09-01", "2027-07-15", hours=200),  # completed after the period
            measure("work_try_out", "interrupted", "2026-10-01", "2026-12-20"),  # interrupted before it
        ]),
    ]
    facts = measures_of(plan_facts(item, "B1.1") for item in records)
    by_kind = measure_figures(facts, **PERIOD, by=Grouping.measure_kind)
    rows = {row.group: (row.started, row.completed, row.interrupted, row.hours_completed) for row in by_kind.groups}
    assert rows == {"language_studies": (2, 1, 0, 300.0), "civic_orientation": (1, 0, 1, 0.0)}
    assert (by_kind.total.started, by_kind.total.completed, by_kind.total.interrupted) == (3, 1, 1)
    by_provider = measure_figures(facts, **PERIOD, by=Grouping.provider, across=Grouping.measure_kind)
    assert [row.group for row in by_provider.groups] == ["Kansalaisopisto", "Opisto"]
    cells = {(row.group, row.across): row.started for row in by_provider.cells}
    assert cells == {("Opisto", "language_studies"): 1, ("Opisto", "civic_orientation"): 1, ("Kansalaisopisto", "language_studies"): 1}


def test_plans_group_by_target_group_age_band_and_lead_from_their_record():
    records = [
        record(target_group="international_protection", birth_date="1999-05-01", lead="employment_authority"),
        record(target_group="international_protection", birth_date="1960-05-01", lead="municipality"),
        record(),  # a plan recorded before it kept these
    ]
    facts = [plan_facts(item, "B1.1") for item in records]
    for by, expected in ((Grouping.target_group, {"international_protection": 2, "unknown": 1}),
                         (Grouping.age_band, {"18-29": 1, "65+": 1, "unknown": 1}),
                         (Grouping.lead, {"employment_authority": 1, "municipality": 1, "unknown": 1})):
        assert {row.group: row.plans_made for row in plan_figures(facts, by=by, **PERIOD).groups} == expected, by


def test_measures_tell_the_days_from_referral_to_start_by_kind_and_by_provider():
    from services.planning.figures.compute import measure_figures, measures_of

    def referred(kind, provider, referred_on, started_on):
        return {"kind": kind, "provider": provider, "status": "started", "referred_on": referred_on, "reports": [{"status": "started", "on": started_on}]}

    records = [record(measures=[
        referred("language_studies", "Opisto", "2027-02-01", "2027-02-11"),  # 10 days
        referred("language_studies", "Opisto", "2027-02-01", "2027-02-21"),  # 20
        referred("language_studies", "Kansalaisopisto", "2027-03-01", "2027-03-31"),  # 30
        referred("work_try_out", "Yritys Oy", "2027-04-01", "2027-04-03"),  # 2
        {"kind": "work_try_out", "provider": "Yritys Oy", "status": "started", "starts_on": "2027-04-05", "reports": []},  # never referred
    ])]
    facts = measures_of(plan_facts(item, "B1.1") for item in records)
    by_kind = measure_figures(facts, **PERIOD, by=Grouping.measure_kind)
    rows = {row.group: (row.started, row.started_after_referral, row.median_days_referral_to_start) for row in by_kind.groups}
    assert rows == {"language_studies": (3, 3, 20.0), "work_try_out": (2, 1, 2.0)}
    assert (by_kind.total.started_after_referral, by_kind.total.median_days_referral_to_start) == (4, 15.0)
    by_provider = measure_figures(facts, **PERIOD, by=Grouping.provider)
    rows = {row.group: row.median_days_referral_to_start for row in by_provider.groups}
    assert rows == {"Kansalaisopisto": 30.0, "Opisto": 15.0, "Yritys Oy": 2.0}


def test_the_days_from_referral_to_start_are_hidden_with_the_measures_they_are_of():
    from services.planning.figures.compute import measure_figures, measures_of
    from shared.figures import protect

    waits = [{"kind": "language_studies", "provider": "Opisto", "status": "started", "referred_on": "2027-02-01",
              "reports": [{"status": "started", "on": f"2027-02-{10 + i}"}]} for i in range(6)]
    few = [{**waits[0], "kind": "work_try_out", "provider": "Yritys Oy"}] * 2
    facts = measures_of([plan_facts(record(measures=[*waits, *few]), "B1.1")])
    shown = protect(measure_figures(facts, **PERIOD, by=Grouping.measure_kind), 5)
    rows = {row.group: row for row in shown.groups}
    assert rows["work_try_out"].median_days_referral_to_start is None and "median_days_referral_to_start" in rows["work_try_out"].hidden
    assert rows["work_try_out"].started is None  # two measures: hidden, and with them their days
    # The 6 language measures' own total would give the 2 away: hidden too (complementary).
    assert rows["language_studies"].started is None and shown.total.started == 8
