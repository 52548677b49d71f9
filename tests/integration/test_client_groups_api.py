"""The groups the projects reach, through the running system: recorded from the registration (an
unaccompanied minor with their guardian or representative; young people from the birth date),
changed by a staff decision with its reason (scope, roles, refusals naming the field, the
timeline and the access log), and followed by the service map's suggestions for the plan."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shared import municipalities
from shared.clock import today
from support import eventually, make_settings, person, running, token
from test_plan_api import assert_refused, case_awaiting_plan, case_now

EXAMPLE = Path(__file__).resolve().parents[2] / "services" / "planning" / "servicemap" / "example.json"


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def young_birth_date() -> str:
    return date(today().year - 20, 1, 1).isoformat()


async def test_groups_from_the_registration_and_a_staff_decision_steer_the_suggestions(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-g")
    coordinator = token(settings, "109", role="coordinator", sub="co-g")
    async with running(settings) as (runtime, http):
        catalogue = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        kanta_hame = [service for service in catalogue if service["region"] == "Kanta-Häme"]
        manager = token(settings, *(m.code for m in municipalities.all_municipalities() if m.region == "Kanta-Häme"), role="coordinator")
        assert (await http.post("/api/v1/service-map/load", json=kanta_hame, headers=manager)).status_code == 200

        # A young unaccompanied minor, registered with their representative.
        minor = await case_awaiting_plan(
            http, amqp_url, caseworker, person=person(given_names="Nuori", birth_date=young_birth_date()),
            target_group="unaccompanied_minor", household_id="HML-HH-9",
            client_groups=["unaccompanied_minors"], guardian={"role": "representative", "name": "Edustaja Eeva", "phone": "+358401112223"},
        )
        client = (await case_now(http, minor["case_id"], caseworker))["client"]
        assert client["client_groups"] == ["young_people", "unaccompanied_minors"]
        assert (client["guardian"]["role"], client["household_id"]) == ("representative", "HML-HH-9")
        # The household's cases (what the dashboard offers as a family plan's members), in the user's municipalities only.
        household = (await http.get("/api/v1/cases", params={"household": "HML-HH-9"}, headers=caseworker)).json()["items"]
        assert [item["case_id"] for item in household] == [minor["case_id"]]
        assert (await http.get("/api/v1/cases", params={"household": "HML-HH-9"}, headers=token(settings, "905"))).json()["items"] == []

        # A worker receiving social assistance: no group of the literacy training (home parents, refugees).
        worker = await case_awaiting_plan(
            http, amqp_url, caseworker, person=person(given_names="Työ", birth_date="1980-02-02"), residence_basis="work",
            target_group="social_assistance", complete={"plan_needed": True, "plan_type": "individual", "service_needs": ["literacy_training"]},
        )
        case_id = worker["case_id"]
        assert (await case_now(http, case_id, caseworker))["client"]["client_groups"] == []
        suggestions = f"/api/v1/cases/{case_id}/plan/suggestions"
        assert (await http.get(suggestions, headers=caseworker)).json() == []

        # The staff decision: 404 elsewhere, 403 for a role that may not, 422 naming the field.
        url = f"/api/v1/cases/{case_id}/client-groups"
        decision = {"client_groups": ["stay_at_home_parents"], "reason": "Hoitaa kotona kahta alle 3-vuotiasta"}
        assert (await http.put(url, json=decision, headers=token(settings, "905"))).status_code == 404
        assert (await http.put(url, json=decision, headers=token(settings, "109", role="admin"))).status_code == 403
        invalid = await http.put(url, json={"client_groups": ["tourists"]}, headers=caseworker)
        assert invalid.status_code == 422 and {"client_groups.0", "reason"} <= {p["field"] for p in invalid.json()["detail"]}
        no_guardian = await http.put(url, json={"client_groups": ["unaccompanied_minors"], "reason": "x"}, headers=caseworker)
        assert no_guardian.status_code == 422 and "guardian" in {p["field"] for p in no_guardian.json()["detail"]}

        decided = await http.put(url, json=decision, headers=caseworker)
        assert decided.status_code == 200, decided.text
        assert decided.json()["timeline"][-1]["reason"].startswith("client_groups.decided: stay_at_home_parents: ")
        assert_refused(await http.put(url, json=decision, headers=coordinator), "client_groups_unchanged")

        async def recorded():
            client = (await case_now(http, case_id, caseworker))["client"]
            return client if client["client_groups"] == ["stay_at_home_parents"] else None

        await eventually(recorded, what="the client's groups on the case")
        [suggested] = (await http.get(suggestions, headers=caseworker)).json()
        assert (suggested["service_code"], suggested["matching_groups"]) == ("EX-HAME-LUKU", ["stay_at_home_parents"])

        async def logged():
            log = (await http.get("/api/v1/access-log", params={"case_id": case_id}, headers=coordinator)).json()["items"]
            return [row for row in log if row["action"] == "client_groups.decided"]

        [row] = await eventually(logged, what="the decision in the access log")
        assert row["user_sub"] == "cw-g"
