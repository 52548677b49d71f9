"""The recruitment figures through HTTP on a real Kotopolku (RabbitMQ, Temporal, SQLite and
PostgreSQL): employers send recruitment notices to Vaasa; the figures count the notices and the
employers involved, hide the small count, look ahead to the expected arrivals, and log the query."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import today
from shared.figures import month_end
from support import NOTICES, employer_key, eventually, notice, running, token

FIGURES = "/api/v1/figures/recruitment"


def recruit(number: int, arrival) -> dict:
    return notice(arrival=arrival, recruit={"given_names": f"Recruit{number}", "family_name": f"Testi{number}", "birth_date": f"199{number}-02-01"})


async def test_notices_and_employers_are_counted_the_arrivals_looked_ahead_and_the_query_logged(settings):
    coordinator = token(settings, "905", role="coordinator", sub="co-905")
    async with running(settings) as (runtime, http):
        welders = await employer_key(runtime)
        bakers = await employer_key(runtime, business_id="1572860-0", name="Leipä Oy")
        arrival = today() + timedelta(days=20)
        for number in range(6):
            assert (await http.post(NOTICES, json=recruit(number, arrival), headers=welders)).status_code == 201
        assert (await http.post(NOTICES, json=recruit(7, arrival), headers=bakers)).status_code == 201
        month = {"from": today().replace(day=1).isoformat(), "to": month_end(today()).isoformat()}

        figures = (await http.get(FIGURES, params=month, headers=coordinator)).json()
        [vaasa] = figures["groups"]
        # 7 notices from 2 employers: 2 is under five, and alone in its column it hides the total too.
        assert (vaasa["group"], vaasa["notices_received"], vaasa["employers_involved"]) == ("905", 7, None)
        assert figures["total"]["notices_received"] == 7 and figures["total"]["employers_involved"] is None
        assert set(vaasa["hidden"]) == {"employers_involved"}
        # Seven recruits expected within three months, in the month of their arrival.
        expected = {(row["municipality_code"], row["month"]): row["count"] for row in figures["ahead"] if row["what"] == "arrival"}
        assert expected[("905", arrival.strftime("%Y-%m"))] == 7 and expected[("all", "all")] == 7

        # Another municipality sees none of Vaasa's; the query is in Vaasa's access log.
        assert (await http.get(FIGURES, params=month, headers=token(settings, "109"))).json()["groups"] == []

        async def logged():
            rows = (await http.get("/api/v1/access-log", params={"user_sub": "co-905"}, headers=coordinator)).json()["items"]
            return [row for row in rows if row["action"] == "recruitment_figures.query"] or None

        [row] = await eventually(logged, what="the recruitment figures query in the access log")
        assert (row["municipality_code"], row["query"]) == ("905", f"by=municipality&from={month['from']}&to={month['to']}")
