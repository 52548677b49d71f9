"""The plan figures through HTTP against a real Kotopolku: a client's plan drawn up, a language
measure completed at B1.1, the case closed as employed; the figures (JSON and CSV) count them in
the client's group, for the user's municipalities only."""

from __future__ import annotations

from shared.clock import today
from shared.figures import month_end
from support import eventually, running, token
from test_plan_api import case_awaiting_plan, settings  # noqa: F401  (the fixture)


async def test_plan_figures_count_a_plan_its_measure_and_its_ending(settings, amqp_url):  # noqa: F811
    staff = token(settings, "109", role="caseworker")
    async with running(settings) as (_runtime, http):
        case_id = (await case_awaiting_plan(http, amqp_url, staff))["case_id"]
        plan = f"/api/v1/cases/{case_id}/plan"
        assert (await http.post(plan, json={"type": "individual"}, headers=staff)).status_code == 200
        measure = {"kind": "language_studies", "language": "fi", "status": "started", "starts_on": today().isoformat()}
        assert (await http.post(f"{plan}/measures", json=measure, headers=staff)).status_code == 200
        measure_id = (await http.get(plan, headers=staff)).json()["measures"][0]["measure_id"]
        done = {"status": "completed", "ends_on": today().isoformat(), "outcome": {"language": "fi", "cefr": "B1.1"}}
        assert (await http.patch(f"{plan}/measures/{measure_id}", json=done, headers=staff)).status_code == 200
        assert (await http.post(f"/api/v1/cases/{case_id}/closure", json={"reason": "employed"}, headers=staff)).status_code == 200

        params = {"from": today().replace(month=1, day=1).isoformat(), "to": month_end(today()).isoformat(), "by": "residence_basis"}

        async def ended():
            answer = (await http.get("/api/v1/figures/plans", params=params, headers=staff)).json()
            return answer if answer["total"]["plans_ended"] == 1 else None

        figures = await eventually(ended, what="the plan's ending in the figures")
        [group] = figures["groups"]
        assert group["group"] == "international_protection"
        assert (group["plans_made"], group["made_within_deadline"], group["share_made_within_deadline"]) == (1, 1, 1.0)
        assert (group["measures_started"], group["measures_completed"]) == (1, 1)
        assert (group["language_levels_recorded"], group["reached_language_target"], group["ended_employed"]) == (1, 1, 1)
        # The client's target group, age band (born 1990) and lead, as the path gave them to the plan.
        for by, expected in (("target_group", "international_protection"), ("age_band", "30-64"), ("lead", "municipality")):
            answer = (await http.get("/api/v1/figures/plans", params={**params, "by": by}, headers=staff)).json()
            assert [(row["group"], row["plans_made"]) for row in answer["groups"]] == [(expected, 1)], by

        # Another municipality's staff see none of it; a reversed period is refused; the CSV.
        other = (await http.get("/api/v1/figures/plans", params=params, headers=token(settings, "905"))).json()
        assert other["groups"] == [] and other["total"]["plans_made"] == 0
        reversed_ = await http.get("/api/v1/figures/plans", params={"from": "2027-02-01", "to": "2027-01-01"}, headers=staff)
        assert reversed_.status_code == 422
        csv = await http.get("/api/v1/figures/plans", params={**params, "format": "csv"}, headers={**staff, "Accept-Language": "sv"})
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        lines = csv.content.decode("utf-8-sig").split("\r\n")
        assert lines[0].startswith("Grupp;Uppgjorda planer;") and lines[1].startswith("international_protection;1;1;1;")
        # The measures by kind; a measure's grouping is refused for the plans.
        measures = (await http.get("/api/v1/figures/measures", params={**params, "by": "measure_kind"}, headers=staff)).json()
        assert [(row["group"], row["started"], row["completed"], row["interrupted"]) for row in measures["groups"]] == [("language_studies", 1, 1, 0)]
        wrong = await http.get("/api/v1/figures/plans", params={**params, "by": "provider"}, headers=staff)
        assert wrong.status_code == 422 and wrong.json()["detail"]["code"] == "figures_grouping_not_here"
        assert "`by`" in wrong.json()["detail"]["messages"]["en"]

        # Targets for a plan figure and a measure figure, shown against what was achieved.
        coordinator = token(settings, "109", role="coordinator")
        wanted = [{"municipality_code": "109", "figure": "plans_made", **{k: params[k] for k in ("from", "to")}, "target": 4},
                  {"municipality_code": "109", "figure": "started", **{k: params[k] for k in ("from", "to")}, "target": 2}]
        assert (await http.put("/api/v1/figures/plans/targets", json=wanted, headers=coordinator)).json() == {"set": 2}
        plans = (await http.get("/api/v1/figures/plans", params=params, headers=staff)).json()
        assert [(t["figure"], t["achieved"], t["share"]) for t in plans["targets"]] == [("plans_made", 1, 0.25)]
        measures = (await http.get("/api/v1/figures/measures", params=params, headers=staff)).json()
        assert [(t["figure"], t["achieved"], t["share"]) for t in measures["targets"]] == [("started", 1, 0.5)]

        # The monthly series: the plan made and ended this month; nothing due ahead (the plan ended).
        series = (await http.get("/api/v1/figures/plans/series", params={"by": "municipality"}, headers=staff)).json()
        this_month = today().strftime("%Y-%m")
        assert [(row["group"], row["across"], row["plans_made"], row["ended_employed"]) for row in series["cells"]] == [("109", this_month, 1, 1)]
        assert [row["count"] for row in series["ahead"] if row["municipality_code"] == "all" and row["month"] == "all"] == [0, 0, 0, 0]

        # The query is in the access log, the period and grouping with it (the coordinator's view of it).
        coordinator = token(settings, "109", role="coordinator")

        async def logged():
            rows = (await http.get("/api/v1/access-log", params={"page_size": 100}, headers=coordinator)).json()["items"]
            found = [row for row in rows if row["action"] == "plan_figures.query"]
            return found if len({row["query"] for row in found}) >= 4 else None  # the four groupings asked for

        [*queries] = await eventually(logged, what="the figures queries in the access log")
        assert {row["query"] for row in queries} == {
            f"by={by}&from={params['from']}&to={params['to']}" for by in ("residence_basis", "target_group", "age_band", "lead")
        }
        assert {(row["record_kind"], row["municipality_code"], row["case_id"]) for row in queries} == {("figures", "109", None)}
