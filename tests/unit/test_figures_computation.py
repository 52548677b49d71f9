"""The assessment figures from plain data (services/assessment/figures/compute.py): what counts in
a period, the days, the share within the deadline, the groups, and the CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import io
from datetime import date

from services.assessment.figures.compute import assessment_figures, figures_csv
from services.assessment.figures.models import COLUMNS, AssessmentFacts, Grouping

JAN, DEC = date(2027, 1, 1), date(2027, 12, 31)


def facts(became: str, due: str, started: str | None = None, completed: str | None = None, **groups) -> AssessmentFacts:
    day = lambda text: date.fromisoformat(text) if text else None  # noqa: E731
    return AssessmentFacts(
        municipality_code=groups.pop("municipality_code", "109"), became_client_on=day(became), due_on=day(due),
        started_on=day(started), completed_on=day(completed), **groups,
    )


ROWS = [
    # became 2027-01-10, started after 20 days (in time), completed after 40
    facts("2027-01-10", "2027-03-10", "2027-01-30", "2027-02-19", gender="female", residence_basis="family"),
    # started after 70 days: after its deadline; not completed
    facts("2027-02-01", "2027-04-01", "2027-04-12", gender="male", residence_basis="work", municipality_code="905"),
    # became a client in the period, nothing else yet; gender not reported
    facts("2027-11-20", "2028-01-20", residence_basis="work"),
    # became a client the year before, started in the period (within the deadline, 50 days)
    facts("2026-12-01", "2027-01-31", "2027-01-20", gender="female", residence_basis="family"),
    # nothing in the period at all
    facts("2025-05-01", "2025-07-01", "2025-06-01", "2025-06-20", gender="female"),
]


def test_each_figure_counts_what_happened_in_the_period():
    total = assessment_figures(ROWS, period_from=JAN, period_to=DEC, by=Grouping.municipality).total
    assert total.group == "all"
    assert (total.became_clients, total.started, total.completed) == (3, 3, 1)
    # days to start: 20, 70, 50
    assert (total.median_days_to_start, total.average_days_to_start) == (50.0, 46.7)
    assert (total.median_days_to_completion, total.average_days_to_completion) == (40.0, 40.0)
    assert (total.started_within_deadline, total.share_started_within_deadline) == (2, 0.667)


def test_the_start_on_the_deadline_day_is_within_it_and_an_even_count_has_the_middle_median():
    rows = [facts("2027-01-01", "2027-03-01", "2027-03-01"), facts("2027-01-01", "2027-03-01", "2027-03-02"),
            facts("2027-01-01", "2027-03-01", "2027-01-11"), facts("2027-01-01", "2027-03-01", "2027-01-12")]
    total = assessment_figures(rows, period_from=JAN, period_to=DEC, by=Grouping.gender).total
    assert (total.started_within_deadline, total.share_started_within_deadline) == (3, 0.75)
    assert total.median_days_to_start == (11 + 59) / 2


def test_groups_by_each_grouping_unknown_last_and_empty_groups_left_out():
    by_gender = assessment_figures(ROWS, period_from=JAN, period_to=DEC, by=Grouping.gender)
    assert [row.group for row in by_gender.groups] == ["female", "male", "unknown"]
    female = by_gender.groups[0]
    assert (female.became_clients, female.started, female.completed, female.median_days_to_start) == (1, 2, 1, 35.0)
    by_municipality = assessment_figures(ROWS, period_from=JAN, period_to=DEC, by=Grouping.municipality)
    assert [(row.group, row.started) for row in by_municipality.groups] == [("109", 2), ("905", 1)]
    by_basis = assessment_figures(ROWS, period_from=JAN, period_to=DEC, by=Grouping.residence_basis)
    # the 2025 row had nothing in 2027: its group (unknown basis) does not appear
    assert [row.group for row in by_basis.groups] == ["family", "work"]


def test_a_period_with_nothing_in_it_has_no_groups_and_empty_figures():
    empty = assessment_figures(ROWS, period_from=date(2030, 1, 1), period_to=date(2030, 1, 31), by=Grouping.native_language)
    assert empty.groups == []
    assert (empty.total.became_clients, empty.total.started, empty.total.median_days_to_start, empty.total.share_started_within_deadline) == (0, 0, None, None)
    assert empty.model_dump(mode="json", by_alias=True)["from"] == "2030-01-01"


def test_the_csv_opens_in_a_finnish_spreadsheet():
    figures = assessment_figures(ROWS, period_from=JAN, period_to=DEC, by=Grouping.gender)
    data = figures_csv(figures, {column: f"Otsikko {column} ä" for column in COLUMNS})
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark: Excel reads ä and å
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [f"Otsikko {column} ä" for column in COLUMNS]
    assert [row[0] for row in rows[1:]] == ["female", "male", "unknown", "all"]
    total = dict(zip(COLUMNS, rows[-1]))
    assert total["became_clients"] == "3" and total["average_days_to_start"] == "46,7" and total["median_days_to_start"] == "50"
    assert total["share_started_within_deadline"] == "0,667"
    unknown = dict(zip(COLUMNS, rows[3]))
    assert unknown["median_days_to_start"] == "" and unknown["share_started_within_deadline"] == ""


def test_the_monthly_series_counts_each_month_and_adds_up_to_the_whole():
    from services.assessment.figures.compute import assessment_series
    from shared.figures import look_ahead, months_ahead, months_back

    months = months_back(date(2027, 12, 15), 24)
    assert (months[0], months[-1]) == ((date(2026, 1, 1), date(2026, 1, 31)), (date(2027, 12, 1), date(2027, 12, 31)))
    series = assessment_series(ROWS, months=months, by=Grouping.gender)
    assert series.across == "month" and len(series.across_groups) == 24
    by_month = {row.across: row.became_clients for row in series.across_groups}
    assert (by_month["2027-01"], by_month["2027-02"], by_month["2026-12"], by_month["2027-11"], by_month["2027-03"]) == (1, 1, 1, 1, 0)
    assert sum(by_month.values()) == series.total.became_clients == 4  # the 2025 one is before the 24 months
    cells = {(row.group, row.across): row.started for row in series.cells if row.started}
    assert cells == {("female", "2027-01"): 2, ("male", "2027-04"): 1}

    coming = months_ahead(date(2027, 1, 20))
    assert [first for first, _last in coming] == [date(2027, 1, 20), date(2027, 2, 1), date(2027, 3, 1)]
    dues = [("109", date(2027, 1, 25))] * 6 + [("109", date(2027, 3, 3))] * 7 + [("905", date(2027, 4, 1))]  # April: too far
    rows = {(row.municipality_code, row.month): row.count for row in look_ahead("assessment_start", dues, coming, 5)}
    assert rows == {("109", "2027-01"): 6, ("109", "2027-03"): 7, ("109", "all"): 13, ("all", "2027-01"): 6,
                    ("all", "2027-02"): 0, ("all", "2027-03"): 7, ("all", "all"): 13}
    hidden = look_ahead("assessment_start", dues + [("905", date(2027, 2, 2))] * 2, coming, 5)
    assert all(row.count is None or row.count == 0 or row.count >= 5 for row in hidden)
    assert {(row.municipality_code, row.month) for row in hidden if row.hidden} >= {("905", "2027-02"), ("905", "all")}


def test_target_group_age_band_and_lead_group_as_any_other_grouping():
    from shared.figures import age_band

    # Age on the first day of the period: 17 the day before the 18th birthday, 18 on it.
    assert [age_band(date(2009, 1, 2), JAN), age_band(date(2009, 1, 1), JAN)] == ["0-17", "18-29"]
    assert [age_band(date(1997, 1, 2), JAN), age_band(date(1997, 1, 1), JAN)] == ["18-29", "30-64"]
    assert [age_band(date(1962, 1, 2), JAN), age_band(date(1962, 1, 1), JAN), age_band(None, JAN)] == ["30-64", "65+", None]
    rows = [
        facts("2027-01-10", "2027-03-10", "2027-01-30", target_group="international_protection", birth_date=date(2010, 6, 1), lead="municipality"),
        facts("2027-02-01", "2027-04-01", target_group="international_protection", birth_date=date(1990, 6, 1), lead="employment_authority"),
        facts("2027-03-01", "2027-05-01", "2027-03-05", target_group="trafficking_victim", birth_date=date(1950, 6, 1), lead="municipality"),
        facts("2027-04-01", "2027-06-01", birth_date=date(2000, 6, 1)),  # recorded before the path carried a target group or lead
    ]

    def grouped(by, **more):
        answer = assessment_figures(rows, period_from=JAN, period_to=DEC, by=by, **more)
        return {(row.group, row.across): (row.became_clients, row.started) for row in [*answer.groups, *answer.cells]}

    assert grouped(Grouping.target_group) == {
        ("international_protection", None): (2, 1), ("trafficking_victim", None): (1, 1), ("unknown", None): (1, 0),
    }
    assert grouped(Grouping.age_band) == {("0-17", None): (1, 1), ("18-29", None): (1, 0), ("30-64", None): (1, 0), ("65+", None): (1, 1)}
    assert grouped(Grouping.lead) == {("employment_authority", None): (1, 0), ("municipality", None): (2, 2), ("unknown", None): (1, 0)}
    cells = grouped(Grouping.lead, across=Grouping.age_band)
    assert cells[("municipality", "0-17")] == (1, 1) and cells[("municipality", "65+")] == (1, 1) and cells[("unknown", "18-29")] == (1, 0)
    # The band is the one on the period's first day: born 2010-06-01, 17 on 2028-01-01, 18 on 2028-07-01.
    assert (age_band(date(2010, 6, 1), date(2028, 1, 1)), age_band(date(2010, 6, 1), date(2028, 7, 1))) == ("0-17", "18-29")


def test_the_series_keeps_each_client_in_one_age_band_so_the_months_add_up():
    from services.assessment.figures.compute import assessment_series
    from shared.figures import months_back

    # Turns 18 in the middle of the series: in the band of the series' first day in every month.
    rows = [facts("2026-03-01", "2026-05-01", "2026-03-10"), facts("2027-06-01", "2027-08-01", "2027-06-02")]
    rows = [row.model_copy(update={"birth_date": date(2008, 9, 1)}) for row in rows]
    series = assessment_series(rows, months=months_back(date(2027, 12, 15), 24), by=Grouping.age_band)
    assert [(row.group, row.became_clients) for row in series.groups] == [("0-17", 2)]
    assert {(row.group, row.across) for row in series.cells if row.became_clients} == {("0-17", "2026-03"), ("0-17", "2027-06")}
