"""The assessment figures through HTTP on a real Kotopolku (RabbitMQ, Temporal, SQLite and
PostgreSQL): registrations open assessments, staff start and complete some through the §5
routes, and `GET /api/v1/figures/assessments` counts them — only the user's municipalities, by
each grouping, as JSON and as the CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from shared.auth import mint_token
from shared.clock import today
from shared.figures import month_end
from support import event, every_count_shown, eventually, make_settings, person, publish, registration, running, token

FIGURES = "/api/v1/figures/assessments"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, policy_file=every_count_shown(tmp_path)
    )


def client(family_name: str, days_ago: int, municipality_code: str = "109", jobseeker: bool = False, **person_fields) -> dict:
    registered_on = today() - timedelta(days=days_ago)
    return registration(
        jobseeker=jobseeker,
        municipality_code=municipality_code,
        registered_on=registered_on,
        person=person(family_name=family_name, **person_fields),
        residence_basis="family" if family_name != "Karimi" else "work",
        target_group="social_assistance",  # the register says so: the assessment is owed
    )


async def opened_cases(http, headers, family_names: set[str]) -> dict[str, str]:
    """family name -> case id, once every one's assessment is open."""

    async def found():
        items = (await http.get("/api/v1/cases", params={"page_size": 50}, headers=headers)).json()["items"]
        cases = {item["client"]["family_name"]: item["case_id"] for item in items if item["client"]}
        if set(cases) != family_names:
            return None
        for case_id in cases.values():
            if (await http.get(f"/api/v1/cases/{case_id}/assessment", headers=headers)).status_code != 200:
                return None
        return cases

    return await eventually(found, what="the registered cases' assessments", timeout=60)


async def test_the_figures_count_the_users_municipalities_assessments(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    coordinator_905 = token(settings, "905", role="coordinator", sub="co-905")
    async with running(settings) as (runtime, http):
        for data in (
            client("Hassan", 40, sex="female", native_language="so"),   # started and completed today: 40 days, in time
            client("Karimi", 80, sex="male", native_language="ar", jobseeker=True),  # started today: 80 days, after the 2-month deadline
            client("Nguyen", 10, sex="other", native_language="vi", birth_date="2005-01-01"),  # not started
            client("Virtanen", 30, municipality_code="905", sex="female", native_language="ru"),  # another municipality
        ):
            await publish(amqp_url, event(data))
        cases = await opened_cases(http, caseworker, {"Hassan", "Karimi", "Nguyen"})
        for name in ("Hassan", "Karimi"):
            started = await http.post(f"/api/v1/cases/{cases[name]}/assessment/start", json={}, headers=caseworker)
            assert started.status_code == 200, started.text
        completed = await http.post(f"/api/v1/cases/{cases['Hassan']}/assessment/complete", json={"plan_needed": True}, headers=caseworker)
        assert completed.status_code == 200, completed.text

        period = {"from": (today() - timedelta(days=100)).replace(day=1).isoformat(), "to": month_end(today()).isoformat()}

        async def counted():
            answer = (await http.get(FIGURES, params={**period, "by": "gender"}, headers=caseworker)).json()
            return answer if answer["total"]["completed"] == 1 and answer["total"]["started"] == 2 else None

        figures = await eventually(counted, what="the figures to show the commands")
        assert (figures["from"], figures["to"], figures["by"]) == (period["from"], period["to"], "gender")
        total = figures["total"]
        assert (total["became_clients"], total["started"], total["completed"]) == (3, 2, 1)
        assert (total["median_days_to_start"], total["average_days_to_start"]) == (60.0, 60.0)
        assert (total["median_days_to_completion"], total["average_days_to_completion"]) == (40.0, 40.0)
        assert (total["started_within_deadline"], total["share_started_within_deadline"]) == (1, 0.5)
        groups = {row["group"]: row for row in figures["groups"]}
        assert set(groups) == {"female", "male", "other"}  # Virtanen (905) is not the caseworker's
        assert (groups["female"]["completed"], groups["female"]["share_started_within_deadline"]) == (1, 1.0)
        assert (groups["male"]["started"], groups["male"]["started_within_deadline"]) == (1, 0)
        assert (groups["other"]["became_clients"], groups["other"]["started"], groups["other"]["median_days_to_start"]) == (1, 0, None)

        for by, expected in (("municipality", {"109"}), ("residence_basis", {"family", "work"}), ("native_language", {"so", "ar", "vi"})):
            answer = await http.get(FIGURES, params={**period, "by": by}, headers=caseworker)
            assert answer.status_code == 200, answer.text
            assert {row["group"] for row in answer.json()["groups"]} == expected, by

        # The target group, age band and lead intake recorded, carried to the assessment by the path.
        for by, expected in (
            ("target_group", [("social_assistance", 3, 2)]),
            ("age_band", [("18-29", 1, 0), ("30-64", 2, 2)]),  # born 2005 and 1990, on the period's first day
            ("lead", [("employment_authority", 1, 1), ("municipality", 2, 1)]),  # Karimi seeks work
        ):
            answer = (await http.get(FIGURES, params={**period, "by": by}, headers=caseworker)).json()
            assert [(row["group"], row["became_clients"], row["started"]) for row in answer["groups"]] == expected, by
        crossed = (await http.get(FIGURES, params={**period, "by": "lead", "across": "age_band"}, headers=caseworker)).json()
        assert {(row["group"], row["across"]): row["became_clients"] for row in crossed["cells"] if row["became_clients"]} == {
            ("employment_authority", "30-64"): 1, ("municipality", "18-29"): 1, ("municipality", "30-64"): 1,
        }

        # The other municipality's coordinator sees only theirs.
        theirs = (await http.get(FIGURES, params={**period, "by": "municipality"}, headers=coordinator_905)).json()
        assert [(row["group"], row["became_clients"], row["started"]) for row in theirs["groups"]] == [("905", 1, 0)]

        # The same figures as a CSV file, headings in the user's language.
        for ask in ({"params": {**period, "by": "gender", "format": "csv"}, "headers": {**caseworker, "Accept-Language": "sv"}},
                    {"params": {**period, "by": "gender"}, "headers": {**caseworker, "Accept": "text/csv", "Accept-Language": "sv"}}):
            sheet = await http.get(FIGURES, **ask)
            assert sheet.status_code == 200, sheet.text
            assert sheet.headers["content-type"].startswith("text/csv") and "attachment" in sheet.headers["content-disposition"]
            assert sheet.content.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
            assert rows[0][0] == "Grupp" and rows[0][1] == "Blivit klienter"
            assert [row[0] for row in rows[1:]] == ["female", "male", "other", "all"]
            assert rows[-1][1:4] == ["3", "2", "1"] and rows[-1][-1] == "0,5"

        # Who may, and what is asked.
        assert (await http.get(FIGURES, params=period, headers=token(settings, "109", role="admin"))).status_code == 403
        assert (await http.get(FIGURES, params=period)).status_code == 401
        reversed_period = await http.get(FIGURES, params={"from": period["to"], "to": period["from"]}, headers=caseworker)
        assert reversed_period.status_code == 422 and reversed_period.json()["detail"]["code"] == "figures_period_reversed"
        assert set(reversed_period.json()["detail"]["messages"]) == {"fi", "sv", "en"}
        assert (await http.get(FIGURES, params={**period, "by": "age"}, headers=caseworker)).status_code == 422
        assert (await http.get(FIGURES, params={"from": "2027-13-01"}, headers=caseworker)).status_code == 422
        # Whole calendar months only: a day's figures could show one person.
        for params, code in (({"from": "2027-01-02", "to": "2027-01-31"}, "figures_period_from_not_month_start"),
                             ({"from": "2027-01-01", "to": "2027-01-30"}, "figures_period_to_not_month_end")):
            short = await http.get(FIGURES, params=params, headers=caseworker)
            assert short.status_code == 422 and short.json()["detail"]["code"] == code, short.text
            assert f"`{'from' if 'from_' in code else 'to'}`" in short.json()["detail"]["messages"]["en"]
        same = await http.get(FIGURES, params={**period, "by": "gender", "across": "gender"}, headers=caseworker)
        assert same.status_code == 422 and same.json()["detail"]["code"] == "figures_same_grouping_twice"

        # Targets: the coordinator sets them (API and CSV file), every figures answer shows them
        # against what was achieved (3 became clients, 2 started in 109).
        coordinator = token(settings, "109", role="coordinator", sub="co-109")
        targets = FIGURES + "/targets"
        wanted = [{"municipality_code": "109", "figure": "became_clients", **period, "target": 6}]
        assert (await http.put(targets, json=wanted, headers=caseworker)).status_code == 403
        assert (await http.put(targets, json=[{**wanted[0], "municipality_code": "905"}], headers=coordinator)).status_code == 403
        unknown = await http.put(targets, json=[{**wanted[0], "figure": "median_days_to_start"}], headers=coordinator)
        assert unknown.status_code == 422 and unknown.json()["detail"]["code"] == "target_figure_unknown"
        assert (await http.put(targets, json=wanted, headers=coordinator)).json() == {"set": 1}
        sheet = f"municipality_code;figure;from;to;target\r\n109;started;{period['from']};{period['to']};2,5\r\n".encode()
        imported = await http.post(targets + "/import", content=b"\xef\xbb\xbf" + sheet, headers={**coordinator, "Content-Type": "text/csv"})
        assert imported.status_code == 200 and imported.json() == {"set": 1}, imported.text
        bad = await http.post(targets + "/import", content=sheet + b"109;started;2027-01-01;2027-01-31;many\r\n", headers={**coordinator, "Content-Type": "text/csv"})
        assert bad.status_code == 422 and bad.json()["detail"]["code"] == "targets_csv_line" and "3" in bad.json()["detail"]["messages"]["en"]
        assert [(t["figure"], t["target"]) for t in (await http.get(targets, params=period, headers=caseworker)).json()] == [
            ("became_clients", 6.0), ("started", 2.5)]
        answer = (await http.get(FIGURES, params={**period, "by": "gender"}, headers=caseworker)).json()
        assert [(t["municipality_code"], t["figure"], t["target"], t["achieved"], t["share"]) for t in answer["targets"]] == [
            ("109", "became_clients", 6.0, 3, 0.5), ("109", "started", 2.5, 2, 0.8)]
        # The monthly series of the last 24 months, and the start falling due ahead (Nguyen's, 50 days on).
        series = (await http.get(FIGURES + "/series", params={"by": "gender"}, headers=caseworker)).json()
        this_month = today().strftime("%Y-%m")
        assert series["across"] == "month" and len(series["across_groups"]) == 24 and series["to"] == month_end(today()).isoformat()
        assert series["across_groups"][-1]["across"] == this_month
        assert sum(row["started"] for row in series["across_groups"]) == series["total"]["started"] == 2
        assert sum(row["became_clients"] for row in series["cells"] if row["group"] == "other") == 1
        due = today() + timedelta(days=50)  # about: two months after becoming a client
        ahead = {(row["municipality_code"], row["month"]): row["count"] for row in series["ahead"] if row["what"] == "assessment_start"}
        assert ahead[("109", "all")] == 1 and ahead[("all", "all")] == 1
        assert sum(count for (code, month), count in ahead.items() if code == "109" and month != "all") == 1
        assert abs((date.fromisoformat(next(m for (c, m), n in ahead.items() if c == "109" and m != "all" and n) + "-01") - due.replace(day=1)).days) <= 31

        # Another period has no targets.
        other_month = {"from": "2020-01-01", "to": "2020-01-31"}
        assert (await http.get(FIGURES, params=other_month, headers=caseworker)).json()["targets"] == []


@pytest.fixture
def private_settings(tmp_path, amqp_url, temporal_address, database_url):
    """The policy as shipped: no figure under five people."""
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


# Fifteen new clients of 109: (gender, residence basis, how many)
CROWD = (("female", "family", 5), ("female", "work", 2), ("male", "family", 6), ("other", "work", 2))


async def test_small_groups_are_hidden_in_tables_and_cross_tabs_and_each_query_is_logged(private_settings, amqp_url):
    settings = private_settings
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    coordinator = token(settings, "109", role="coordinator", sub="co-109")
    async with running(settings) as (_runtime, http):
        number = 0
        for gender, basis, count in CROWD:
            for _ in range(count):
                number += 1
                data = registration(
                    municipality_code="109", registered_on=today(), residence_basis=basis,
                    target_group="social_assistance",  # the register says so: each is owed an assessment
                    person=person(given_names=f"Asiakas{number}", family_name=f"Testi{number}", birth_date=f"19{60 + number}-02-0{1 + number % 9}", sex=gender),
                )
                await publish(amqp_url, event(data))
        period = {"from": today().replace(day=1).isoformat(), "to": month_end(today()).isoformat()}

        async def all_counted():
            answer = (await http.get(FIGURES, params={**period, "by": "gender"}, headers=caseworker)).json()
            return answer if answer["total"]["became_clients"] == 15 else None

        # One grouping: 7 women, 6 men, 2 others. The 2 are hidden, and so are the 6 (else 15 - 7 - 6 gives the 2).
        by_gender = await eventually(all_counted, what="the fifteen clients in the figures", timeout=120)
        groups = {row["group"]: row for row in by_gender["groups"]}
        assert groups["female"]["became_clients"] == 7 and groups["female"]["hidden"] == []
        assert groups["other"]["became_clients"] is None and "became_clients" in groups["other"]["hidden"]
        assert groups["male"]["became_clients"] is None and "became_clients" in groups["male"]["hidden"]

        # Two groupings: every cell, margin and the total, none under five shown, none worked out.
        cross = (await http.get(FIGURES, params={**period, "by": "gender", "across": "residence_basis"}, headers=caseworker)).json()
        assert (cross["by"], cross["across"], cross["total"]["became_clients"]) == ("gender", "residence_basis", 15)
        cells = {(row["group"], row["across"]): row["became_clients"] for row in cross["cells"]}
        assert set(cells) == {("female", "family"), ("female", "work"), ("male", "family"), ("other", "work")}
        margins = {row["across"]: row["became_clients"] for row in cross["across_groups"]}
        assert set(margins) == {"family", "work"}
        shown = [value for value in [*cells.values(), *margins.values(), *(row["became_clients"] for row in cross["groups"])] if value is not None]
        assert all(value >= 5 for value in shown), shown
        assert cells[("female", "work")] is None and cells[("other", "work")] is None and margins["work"] is None
        # The row of women shows 7: its cells, 5 and 2, are both hidden (else 7 - 5 gives the 2).
        assert next(row for row in cross["groups"] if row["group"] == "female")["became_clients"] == 7
        assert cells[("female", "family")] is None

        # The CSV of the cross-tab: a cell per line, hidden ones as `..`.
        sheet = await http.get(FIGURES, params={**period, "by": "gender", "across": "residence_basis", "format": "csv"}, headers={**caseworker, "Accept-Language": "en"})
        rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Gender", "Residence basis", "Became clients"]
        assert ["female", "work", ".."] == rows[1 + [tuple(row[:2]) for row in rows[1:]].index(("female", "work"))][:3]
        assert rows[-1][:3] == ["all", "all", "15"]
        assert f'_gender-residence_basis_{period["from"]}_{period["to"]}.csv' in sheet.headers["content-disposition"]

        # Each query is in the access log: who, the groupings, the period.
        async def logged():
            rows = (await http.get("/api/v1/access-log", params={"page_size": 100}, headers=coordinator)).json()["items"]
            found = [row for row in rows if row["action"] == "assessment_figures.query"]
            return found if any("across" in (row["query"] or "") for row in found) else None

        queries = await eventually(logged, what="the figures queries in the access log")
        assert {row["query"] for row in queries} == {
            f"by=gender&from={period['from']}&to={period['to']}",
            f"by=gender&across=residence_basis&from={period['from']}&to={period['to']}",
        }
        assert {(row["user_sub"], row["record_kind"], row["municipality_code"], row["client_id"]) for row in queries} == {("cw-1", "figures", "109", None)}

        # The region's working group: the figures of all of Kanta-Häme's municipalities, nothing else.
        def regional(*regions: str) -> dict[str, str]:
            signed = mint_token(settings, sub="wg-1", name="Työryhmä", roles=["region"], municipalities=[], regions=list(regions))
            return {"Authorization": f"Bearer {signed}"}

        region = regional("Kanta-Häme")
        theirs = (await http.get(FIGURES, params={**period, "by": "gender"}, headers=region)).json()
        assert theirs["total"]["became_clients"] == 15 and theirs["groups"] == by_gender["groups"]
        assert (await http.get(FIGURES + "/series", headers=region)).status_code == 200
        assert (await http.get("/api/v1/figures/plans", params=period, headers=region)).status_code == 200
        assert (await http.get("/api/v1/cases", headers=region)).json()["items"] == []
        target = [{"municipality_code": "109", "figure": "started", **period, "target": 1}]
        assert (await http.put(FIGURES + "/targets", json=target, headers=region)).status_code == 403
        assert (await http.get("/api/v1/access-log", headers=region)).status_code == 403
        assert (await http.get(FIGURES, params=period, headers=regional("Pohjanmaa"))).json()["total"]["became_clients"] == 0
        unknown = await http.get(FIGURES, params=period, headers=regional("Atlantis"))
        assert unknown.status_code == 403 and unknown.json()["detail"]["code"] == "figures_region_unknown"

        async def logged_for_region():
            rows = (await http.get("/api/v1/access-log", params={"user_sub": "wg-1", "page_size": 100}, headers=coordinator)).json()["items"]
            return rows or None

        region_rows = await eventually(logged_for_region, what="the region's query in the 109 access log")
        assert {(row["municipality_code"], row["action"]) for row in region_rows} >= {("109", "assessment_figures.query")}
