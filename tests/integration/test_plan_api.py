"""The integration plan's staff commands (CONTRACT §5 `plan`, `plan/reviews`, `closure`, and the
project's measures and extensions) against a real Kotopolku (RabbitMQ, Temporal, SQLite and
PostgreSQL): a registration opens the client's path, the real assessment routes hand it over, the
path starts its real `IntegrationPlan` child; the routes' answers are the workflows' own — their
validators' refusals, and the case as the projection shows it once the workflow has moved it.
The last test follows one client from the registration event to the closed case and the
completed path workflow."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus

from shared.auth import mint_token
from shared.clock import today
from shared.contracts import RESIDENT_MOVED, SERVICE_REPORTED, plan_workflow_id
from shared.figures import month_end
from shared.i18n import MESSAGES
from shared.policy import add_months
from support import answers_200, event, eventually, every_count_shown, make_settings, person, publish, registration, running, token


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, policy_file=every_count_shown(tmp_path)
    )


def no_role(settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(settings, sub="nobody", name="Ei Roolia", roles=[], municipalities=["109"])}


def assert_refused(response, code: str, status: int = 409) -> None:
    assert response.status_code == status and response.json()["detail"]["code"] == code, response.text
    messages = response.json()["detail"]["messages"]
    assert set(messages) == {"fi", "sv", "en"} and all(messages.values()), messages


async def case_now(http, case_id, headers) -> dict:
    return (await http.get(f"/api/v1/cases/{case_id}", headers=headers)).json()


async def case_awaiting_plan(http, amqp_url, staff, complete: dict | None = None, **person) -> dict:
    """A registration's case, taken through the real assessment routes to `awaiting_plan`, once
    its plan workflow is open."""
    await publish(amqp_url, event(registration(municipality_code="109", **person)))

    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(found, what="the registered case")
    case_id = case["case_id"]
    assessment = f"/api/v1/cases/{case_id}/assessment"
    await eventually(lambda: answers_200(http.get(assessment, headers=staff)), what="the assessment workflow")
    assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
    body = complete or {"plan_needed": True, "plan_type": "individual"}
    completed = await http.post(f"{assessment}/complete", json=body, headers=staff)
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "awaiting_plan"

    async def plan_open():
        return (await http.get(f"/api/v1/cases/{case_id}/plan", headers=staff)).status_code == 200

    await eventually(plan_open, what="the case's plan workflow")
    return completed.json()


COMMANDS = {
    "": ({"type": "individual"}, {"type": "solo", "plan_on": "soon"}, {"type", "plan_on"}),
    "/reviews": ({"notes": "ok"}, {"reviewed_on": "yesterday"}, {"reviewed_on"}),
    "/measures": ({"kind": "language_studies"}, {"kind": "yoga", "hours": -1}, {"kind", "hours"}),
    "/extensions": ({"ends_on": "2030-01-01", "reason": "x"}, {"ends_on": "never"}, {"ends_on", "reason"}),
}


async def test_plan_commands_answer_with_the_case(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, caseworker)
        case_id = case["case_id"]
        path = f"/api/v1/cases/{case_id}/plan"

        for suffix, (good, bad, fields) in COMMANDS.items():
            # Another municipality: 404; a role that may not: 403; a bad body: 422 naming every bad field.
            assert (await http.post(f"{path}{suffix}", json=good, headers=token(settings, "905"))).status_code == 404
            assert (await http.post(f"{path}{suffix}", json=good, headers=token(settings, "109", role="admin"))).status_code == 403
            assert (await http.post(f"{path}{suffix}", json=good, headers=no_role(settings))).status_code == 403
            invalid = await http.post(f"{path}{suffix}", json=bad, headers=caseworker)
            assert invalid.status_code == 422, (suffix, invalid.text)
            assert fields <= {problem["field"] for problem in invalid.json()["detail"]}, suffix

        # Commands that don't fit a plan not yet drawn up: 409 with the reason in fi/sv/en.
        swedish = {**caseworker, "Accept-Language": "sv"}
        for suffix in ("/reviews", "/measures", "/extensions"):
            refused = await http.post(f"{path}{suffix}", json=COMMANDS[suffix][0], headers=swedish)
            assert_refused(refused, "plan_not_made")
            assert refused.json()["detail"]["message"] == MESSAGES["plan_not_made"]["sv"]
        # The workflow's own content checks: 422 with the reason.
        assert_refused(await http.post(path, json={"type": "multi_sectoral"}, headers=caseworker), "wellbeing_participant_missing", 422)
        assert_refused(await http.post(path, json={"type": "family"}, headers=caseworker), "family_members_missing", 422)
        assert await case_now(http, case_id, caseworker) == case

        # The county's participant is chosen from its staff list (the administrators send it whole),
        # never typed: a typed name, or someone not on the list of 109's county, is refused naming the field.
        county = "/api/v1/county/staff/Kanta-Hämeen hyvinvointialue"
        staff_list = {"staff": [{"sub": "kh-liisa", "name": "Liisa Laine", "title": "sosiaalityöntekijä"}]}
        assert (await http.put(county, json=staff_list, headers=caseworker)).status_code == 403
        assert (await http.put("/api/v1/county/staff/Nowhere", json=staff_list, headers=token(settings, "109", role="admin"))).status_code == 404
        assert (await http.put(county, json=staff_list, headers=token(settings, "109", role="admin"))).status_code == 200
        listed = (await http.get(f"{path}/county-staff", headers=caseworker)).json()
        assert listed == {"county": "Kanta-Hämeen hyvinvointialue", "staff": [{"sub": "kh-liisa", "name": "Liisa Laine", "title": "sosiaalityöntekijä"}]}
        assert (await http.get(f"{path}/county-staff", headers=token(settings, "905"))).status_code == 404
        typed = await http.post(path, json={"type": "multi_sectoral", "wellbeing_county_participant": "Liisa"}, headers=caseworker)
        assert_refused(typed, "wellbeing_participant_typed", 422)
        assert "wellbeing_county_participant" in typed.json()["detail"]["message"]
        stranger = await http.post(path, json={"type": "multi_sectoral", "wellbeing_county_participant_sub": "someone"}, headers=caseworker)
        assert_refused(stranger, "wellbeing_participant_not_county_staff", 422)
        assert "wellbeing_county_participant_sub" in stranger.json()["detail"]["message"]

        once = {**caseworker, "Idempotency-Key": "plan-1"}
        made = await http.post(path, json={"type": "multi_sectoral", "wellbeing_county_participant_sub": "kh-liisa"}, headers=once)
        assert made.status_code == 200, made.text
        body = made.json()
        on = today()
        assert (body["stage"], body["status"]) == ("follow_up", "plan_active")
        assert body["deadlines"] == [
            {"kind": "plan_referral", "due_on": add_months(on, 6).isoformat()},  # the new act's guidance: six months
            {"kind": "plan_review", "due_on": add_months(on, 6).isoformat()},
            {"kind": "plan_end", "due_on": add_months(on, 12).isoformat()},
        ]
        assert body["next_deadline"] == body["deadlines"][0]
        assert body == await case_now(http, case_id, caseworker)
        # The same key again: the first answer, no second effect; without it: refused.
        again = await http.post(path, json={"type": "multi_sectoral", "wellbeing_county_participant_sub": "kh-liisa"}, headers=once)
        assert again.status_code == 200 and again.json() == await case_now(http, case_id, caseworker)
        assert [entry["status"] for entry in again.json()["timeline"]].count("plan_active") == 1
        # The same key with another body: refused, nothing done (the plan already made answers the same).
        reused = await http.post(path, json={"type": "individual"}, headers=once)
        assert_refused(reused, "command_key_reused")
        assert "Idempotency-Key" in reused.json()["detail"]["messages"]["fi"]
        assert_refused(await http.post(path, json={"type": "individual"}, headers=caseworker), "plan_already_made")

        # Measures: civic orientation under the policy's hours, or outside the plan's period, refused.
        short = await http.post(f"{path}/measures", json={"kind": "civic_orientation", "hours": 40, "language": "so"}, headers=caseworker)
        assert_refused(short, "civic_orientation_too_short", 422)
        assert "70" in short.json()["detail"]["messages"]["fi"]
        late = {"kind": "school", "starts_on": add_months(on, 13).isoformat()}
        assert_refused(await http.post(f"{path}/measures", json=late, headers=caseworker), "measure_outside_plan_period", 422)
        added = await http.post(f"{path}/measures", json={
            "kind": "civic_orientation", "hours": 70, "language": "so", "provider": "Luetaan yhdessä", "service_code": "CIVIC-SO", "status": "referred",
        }, headers=caseworker)
        assert added.status_code == 200, added.text
        assert [d["kind"] for d in added.json()["deadlines"]] == ["plan_review", "plan_end"]  # referred: plan_referral met
        plan = (await http.get(path, headers=caseworker)).json()
        [measure] = plan["measures"]
        assert (plan["type"], plan["wellbeing_county_participant"], measure["kind"], measure["status"]) == (
            "multi_sectoral", "Liisa Laine", "civic_orientation", "referred"
        )
        assert plan["wellbeing_county_participant_sub"] == "kh-liisa"
        changed = await http.patch(f"{path}/measures/{measure['measure_id']}", json={"status": "started"}, headers=caseworker)
        assert changed.status_code == 200, changed.text
        assert changed.json() == await case_now(http, case_id, caseworker)
        assert (await http.patch(f"{path}/measures/{measure['measure_id']}", json={"status": "paused"}, headers=caseworker)).status_code == 422

        reviewed = await http.post(f"{path}/reviews", json={"notes": "Going well"}, headers=caseworker)
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["timeline"][-1]["reason"] == "plan.reviewed"
        # A multi-sectoral plan's review records the county's participant (the plan's, unless chosen anew).
        [review] = (await http.get(path, headers=caseworker)).json()["reviews"]
        assert (review["wellbeing_county_participant"], review["wellbeing_county_participant_sub"]) == ("Liisa Laine", "kh-liisa")
        assert_refused(await http.post(f"{path}/reviews", json={"wellbeing_county_participant_sub": "someone"}, headers=caseworker),
                       "wellbeing_participant_not_county_staff", 422)
        assert {"kind": "plan_review", "due_on": add_months(on, 6).isoformat()} in reviewed.json()["deadlines"]
        beyond = await http.post(f"{path}/extensions", json={"ends_on": add_months(on, 25).isoformat(), "reason": "more"}, headers=caseworker)
        assert_refused(beyond, "plan_end_beyond_limit", 422)
        extended = await http.post(f"{path}/extensions", json={"ends_on": add_months(on, 18).isoformat(), "reason": "Literacy first"}, headers=caseworker)
        assert extended.status_code == 200, extended.text
        assert {"kind": "plan_end", "due_on": add_months(on, 18).isoformat()} in extended.json()["deadlines"]
        assert (await http.get(path, headers=token(settings, "905"))).status_code == 404
        assert (await http.get(path, headers=token(settings, "109", role="admin"))).status_code == 403

        # Closure: 404 / 403 / 422 as every command; accepted, the case is closed with the reason's status.
        closure = f"/api/v1/cases/{case_id}/closure"
        assert (await http.post(closure, json={"reason": "employed"}, headers=token(settings, "905"))).status_code == 404
        assert (await http.post(closure, json={"reason": "employed"}, headers=token(settings, "109", role="admin"))).status_code == 403
        invalid = await http.post(closure, json={"reason": "bored"}, headers=caseworker)
        assert invalid.status_code == 422 and {"reason"} <= {p["field"] for p in invalid.json()["detail"]}
        closed = await http.post(closure, json={"reason": "studying", "notes": "Nursing school"}, headers={**caseworker, "Idempotency-Key": "close-1"})
        assert closed.status_code == 200, closed.text
        body = closed.json()
        assert (body["stage"], body["status"], body["deadlines"], body["next_deadline"]) == ("closed", "studying", [], None)
        assert body["timeline"][-1]["reason"] == "case.closed.studying: Nursing school"
        assert body == await case_now(http, case_id, caseworker)
        assert_refused(await http.post(closure, json={"reason": "employed"}, headers=caseworker), "case_already_closed")
        # The plan has ended with the case: planning a closed case is refused.
        assert_refused(await http.post(f"{path}/reviews", json={}, headers=caseworker), "plan_not_open")
        assert (await http.get(path, headers=caseworker)).json()["status"] == "ended"



async def test_a_family_plan_links_the_household_members_plans(settings, amqp_url):
    staff = token(settings, "109", role="caseworker", sub="cw-3")
    async with running(settings) as (runtime, http):
        parent = await case_awaiting_plan(http, amqp_url, staff, household_id="HML-HH-1")
        child = await case_awaiting_plan(http, amqp_url, staff, household_id="HML-HH-1", person=person(given_names="Hodan", birth_date="2015-06-01"))
        other = await case_awaiting_plan(http, amqp_url, staff, household_id="HML-HH-2", person=person(given_names="Muna", birth_date="2016-01-01"))
        alone = await case_awaiting_plan(http, amqp_url, staff, person=person(given_names="Yksin", birth_date="1980-01-01"))
        assert (await case_now(http, parent["case_id"], staff))["client"]["household_id"] == "HML-HH-1"
        assert (await http.post(f"/api/v1/cases/{child['case_id']}/plan", json={"type": "individual"}, headers=staff)).status_code == 200
        plan = f"/api/v1/cases/{parent['case_id']}/plan"
        # Only cases of the client's own household that the user may see: another household's case,
        # the plan's own case, a case nobody has, and any member of a client with no household are
        # refused alike, naming the field.
        for typed in (other["case_id"], parent["case_id"], str(uuid.uuid4())):
            refused = await http.post(plan, json={"type": "family", "family_members": [child["case_id"], typed]}, headers=staff)
            assert_refused(refused, "family_member_not_of_household", 422)
            assert "family_members" in refused.json()["detail"]["message"]
        no_household = await http.post(f"/api/v1/cases/{alone['case_id']}/plan", json={"type": "family", "family_members": [child["case_id"]]}, headers=staff)
        assert_refused(no_household, "family_no_household", 422)
        made = await http.post(plan, json={"type": "family", "family_members": [child["case_id"]]}, headers=staff)
        assert made.status_code == 200, made.text
        view = (await http.get(f"/api/v1/cases/{parent['case_id']}/plan/family", headers=staff)).json()
        assert (view["plan"]["type"], [m["case_id"] for m in view["members"]]) == ("family", [child["case_id"]])
        # Seen from the member's side too.
        back = (await http.get(f"/api/v1/cases/{child['case_id']}/plan/family", headers=staff)).json()
        assert [m["case_id"] for m in back["members"]] == [parent["case_id"]]
        assert (await http.get(f"/api/v1/cases/{parent['case_id']}/plan/family", headers=token(settings, "905"))).status_code == 404


async def test_from_registration_through_plan_report_and_review_to_closure(settings, amqp_url):
    """One client's whole path: a registration event, the §5 assessment routes, the plan, a
    provider's service.reported event, a review and closure; the path workflow completed."""
    staff = token(settings, "109", role="caseworker", sub="cw-2")
    async with running(settings) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, staff)
        case_id, client_id = case["case_id"], case["client_id"]
        path = f"/api/v1/cases/{case_id}/plan"
        made = await http.post(path, json={"type": "individual", "measures": [
            {"kind": "integration_training", "service_code": "HAMK-KOTO-24", "provider": "HAMK", "language": "fi", "hours": 600, "status": "referred"},
        ]}, headers=staff)
        assert made.status_code == 200, made.text

        await publish(amqp_url, event(
            {"person_ref": {"client_id": client_id}, "service_code": "HAMK-KOTO-24", "status": "started", "on": today().isoformat()},
            type=SERVICE_REPORTED,
        ))

        async def measure_started():
            plan = (await http.get(path, headers=staff)).json()
            return plan if plan["measures"][0]["status"] == "started" else None

        plan = await eventually(measure_started, what="the provider's report on the measure")
        assert plan["measures"][0]["reports"][0]["service_code"] == "HAMK-KOTO-24"

        async def on_timeline():
            detail = await case_now(http, case_id, staff)
            return detail if any(entry["reason"] == "service.started: HAMK-KOTO-24" for entry in detail["timeline"]) else None

        await eventually(on_timeline, what="the report on the case's timeline")

        reviewed = await http.post(f"{path}/reviews", json={"reviewed_on": today().isoformat(), "notes": "Training started"}, headers=staff)
        assert reviewed.status_code == 200, reviewed.text
        closed = await http.post(f"/api/v1/cases/{case_id}/closure", json={"reason": "employed"}, headers=staff)
        assert closed.status_code == 200, closed.text
        assert (closed.json()["stage"], closed.json()["status"]) == ("closed", "employed")

        described = await runtime.temporal.get_workflow_handle(f"client-{client_id}").describe()
        assert described.status == WorkflowExecutionStatus.COMPLETED
        plan_run = await runtime.temporal.get_workflow_handle(plan_workflow_id(case_id)).describe()
        assert plan_run.status == WorkflowExecutionStatus.COMPLETED
        statuses = [entry["status"] for entry in closed.json()["timeline"]]
        assert statuses[-1] == "employed" and "plan_active" in statuses and "awaiting_plan" in statuses


async def test_a_plan_moves_with_its_client(settings, amqp_url):
    """After a move the plan goes on in the new municipality: its staff read it, and its figures count it."""
    staff = token(settings, "109", role="caseworker")
    async with running(settings) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, staff)
        path = f"/api/v1/cases/{case['case_id']}/plan"
        assert (await http.post(path, json={"type": "individual"}, headers=staff)).status_code == 200
        await publish(amqp_url, event(
            {"person_ref": {"client_id": case["client_id"]}, "from_municipality_code": "109", "to_municipality_code": "837",
             "moved_on": today().isoformat()},
            type=RESIDENT_MOVED,
        ))
        new_staff = token(settings, "837", role="caseworker")

        async def in_new_municipality():
            response = await http.get(path, headers=new_staff)
            return response.json() if response.status_code == 200 and response.json()["municipality_code"] == "837" else None

        plan = await eventually(in_new_municipality, what="the plan in the new municipality")
        assert plan["plan_start_due_on"] == case["next_deadline"]["due_on"]  # the deadlines it had
        assert (await http.get(path, headers=staff)).status_code == 404
        params = {"from": today().replace(day=1).isoformat(), "to": month_end(today()).isoformat()}
        figures = {code: (await http.get("/api/v1/figures/plans", params=params, headers=token(settings, code))).json() for code in ("109", "837")}
        assert (figures["837"]["total"]["plans_made"], figures["109"]["total"]["plans_made"]) == (1, 0)
