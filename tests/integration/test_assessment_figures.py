"""The assessment figures through HTTP on a real Kotopolku (RabbitMQ, Temporal, SQLite and
PostgreSQL): registrations open assessments, staff start and complete some through the §5
routes, and `GET /api/v1/figures/assessments` counts them — only the user's municipalities, by
each grouping, as JSON and as the CSV a spreadsheet opens."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from shared.clock import today
from support import event, eventually, make_settings, person, publish, registration, running, token

FIGURES = "/api/v1/figures/assessments"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def client(family_name: str, days_ago: int, municipality_code: str = "109", **person_fields) -> dict:
    registered_on = today() - timedelta(days=days_ago)
    return registration(
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
            client("Karimi", 80, sex="male", native_language="ar"),     # started today: 80 days, after the 2-month deadline
            client("Nguyen", 10, sex="other", native_language="vi"),    # not started
            client("Virtanen", 30, municipality_code="905", sex="female", native_language="ru"),  # another municipality
        ):
            await publish(amqp_url, event(data))
        cases = await opened_cases(http, caseworker, {"Hassan", "Karimi", "Nguyen"})
        for name in ("Hassan", "Karimi"):
            started = await http.post(f"/api/v1/cases/{cases[name]}/assessment/start", json={}, headers=caseworker)
            assert started.status_code == 200, started.text
        completed = await http.post(f"/api/v1/cases/{cases['Hassan']}/assessment/complete", json={"plan_needed": True}, headers=caseworker)
        assert completed.status_code == 200, completed.text

        period = {"from": (today() - timedelta(days=100)).isoformat(), "to": today().isoformat()}

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
