"""The staff commands of the assessment (CONTRACT §5) and who has a case, end to end: a real
Kotopolku (RabbitMQ, Temporal, SQLite and PostgreSQL) in which a registration opens the client's
path and the path its real `Assessment` child (`services/assessment/workflows.py`): the routes'
answers are the workflow's own — its validators' refusals, and the case as the projection shows
it once the workflow has moved it."""

from __future__ import annotations

import ast
import inspect
import time
from datetime import timedelta
from uuid import uuid4

import pytest
from temporalio.client import WorkflowHandle, WorkflowQueryFailedError
from temporalio.exceptions import ApplicationError

from services.assessment import api as assessment_api
from services.assessment import workflows as assessment_workflows
from services.assessment import rules as assessment_rules
from services.intake import service as intake_service
from services.intake.workflows import NotificationRequest
from shared import staff_commands
from shared.auth import mint_token
from shared.clock import today
from shared.contracts import assessment_workflow_id
from shared.i18n import MESSAGES
from support import event, eventually, make_settings, publish, registration, running, token




def no_role(settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(settings, sub="nobody", name="Ei Roolia", roles=[], municipalities=["109"])}


async def registered_case(http, amqp_url, staff) -> dict:
    """A registration's case, once its path has opened the assessment (the child workflow)."""
    await publish(amqp_url, event(registration(municipality_code="109")))

    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(found, what="the registered case")
    path = f"/api/v1/cases/{case['case_id']}/assessment"

    async def opened():
        return (await http.get(path, headers=staff)).status_code == 200

    await eventually(opened, what="the case's assessment workflow")
    return (await http.get(f"/api/v1/cases/{case['case_id']}", headers=staff)).json()


def assert_three_languages(response) -> None:
    messages = response.json()["detail"]["messages"]
    assert set(messages) == {"fi", "sv", "en"} and all(messages.values()), messages


def assert_refused(response, code: str, status: int = 409) -> None:
    assert response.status_code == status and response.json()["detail"]["code"] == code, response.text
    assert_three_languages(response)


async def case_now(http, case_id, headers) -> dict:
    return (await http.get(f"/api/v1/cases/{case_id}", headers=headers)).json()


async def answered_quickly(call, seconds: float = 5.0):
    """A command that does not move the case answers at once (not after the projection wait)."""
    began = time.monotonic()
    response = await call
    assert time.monotonic() - began < seconds, f"took {time.monotonic() - began:.1f}s"
    return response


COMMANDS = {
    "schedule": ({"on": "2030-01-10", "remote": True, "interpreter_language": "so"}, {"on": "not-a-date", "remote": "maybe"}, {"on", "remote"}),
    "start": ({}, {"started_on": "someday"}, {"started_on"}),
    "interview": ({"literacy": "literate", "goals": "Work as a nurse"}, {"literacy": "fluent", "language_skills": [{"language": "FIN"}]}, {"literacy", "language_skills.0.language"}),
    "complete": ({"plan_needed": True, "plan_type": "individual"}, {"plan_type": "solo"}, {"plan_needed", "plan_type"}),
    "corrections": ({"reason": "Wrong goal", "goals": "Work as a doctor"}, {"goals": "x"}, {"reason"}),
}


async def test_assessment_commands_answer_with_the_case(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, caseworker)
        case_id = case["case_id"]
        path = f"/api/v1/cases/{case_id}/assessment"

        for name, (good, bad, fields) in COMMANDS.items():
            # Another municipality: 404; a role that may not: 403; a bad body: 422 naming every field.
            assert (await http.post(f"{path}/{name}", json=good, headers=token(settings, "905"))).status_code == 404
            assert (await http.post(f"{path}/{name}", json=good, headers=token(settings, "109", role="admin"))).status_code == 403
            assert (await http.post(f"{path}/{name}", json=good, headers=no_role(settings))).status_code == 403
            invalid = await http.post(f"{path}/{name}", json=bad, headers=caseworker)
            assert invalid.status_code == 422, (name, invalid.text)
            assert fields <= {problem["field"] for problem in invalid.json()["detail"]}, name

        # Commands that don't fit an assessment not yet started: 409 with the reason in fi/sv/en.
        swedish = {**caseworker, "Accept-Language": "sv"}
        for name, code in (("complete", "assessment_not_started"), ("interview", "assessment_not_started"),
                           ("corrections", "assessment_not_completed")):
            refused = await http.post(f"{path}/{name}", json=COMMANDS[name][0], headers=swedish)
            assert_refused(refused, code)
            assert refused.json()["detail"]["message"] == MESSAGES[code]["sv"]
        # None of them reached the case.
        assert await case_now(http, case_id, caseworker) == case

        scheduled = await http.post(f"{path}/schedule", json=COMMANDS["schedule"][0], headers=caseworker)
        assert scheduled.status_code == 200, scheduled.text
        assert (scheduled.json()["stage"], scheduled.json()["status"]) == ("assessment", "assessment_scheduled")
        assert scheduled.json() == await case_now(http, case_id, caseworker)
        assert scheduled.json()["timeline"][-1]["reason"] == "assessment.scheduled"

        once = {**caseworker, "Idempotency-Key": "start-1"}
        started = await http.post(f"{path}/start", json={}, headers=once)
        assert started.status_code == 200, started.text
        assert (started.json()["stage"], started.json()["status"]) == ("assessment", "assessment_in_progress")
        assert started.json()["deadlines"] == [] and started.json()["next_deadline"] is None  # the start deadline is met
        assert started.json() == await case_now(http, case_id, caseworker)
        # The same key again: the first answer, no second effect; without it: refused.
        again = await answered_quickly(http.post(f"{path}/start", json={}, headers=once))
        assert again.status_code == 200 and again.json() == await case_now(http, case_id, caseworker)
        assert [entry["status"] for entry in again.json()["timeline"]].count("assessment_in_progress") == 1
        # The same key for another command, or with another body: refused, nothing done.
        assert_refused(await http.post(f"{path}/schedule", json=COMMANDS["schedule"][0], headers=once), "command_key_reused")
        assert_refused(await http.post(f"{path}/start", json={"started_on": "2026-01-05"}, headers=once), "command_key_reused")
        assert_refused(await http.post(f"{path}/start", json={}, headers=caseworker), "assessment_already_started")
        assert_refused(await http.post(f"{path}/schedule", json=COMMANDS["schedule"][0], headers=caseworker), "assessment_already_started")

        # Recording the interview does not move the case: answered at once, with the case as it is.
        recorded = await answered_quickly(http.post(f"{path}/interview", json=COMMANDS["interview"][0], headers=caseworker))
        assert recorded.status_code == 200, recorded.text
        assert recorded.json() == started.json() == await case_now(http, case_id, caseworker)

        coordinator = token(settings, "109", role="coordinator", sub="co-1")
        completed = await http.post(f"{path}/complete", json=COMMANDS["complete"][0], headers=coordinator)
        assert completed.status_code == 200, completed.text
        body = completed.json()
        plan_start = {"kind": "plan_start", "due_on": (today() + timedelta(days=14)).isoformat()}
        assert (body["stage"], body["status"]) == ("planning", "awaiting_plan")
        assert body["deadlines"] == [plan_start] and body["next_deadline"] == plan_start
        assert body == await case_now(http, case_id, caseworker)
        statuses = [(entry["status"], entry["changed_by"]) for entry in body["timeline"]]
        assert statuses[-3:] == [
            ("assessment_scheduled", "Testi Käyttäjä"), ("assessment_in_progress", "Testi Käyttäjä"), ("awaiting_plan", "Testi Käyttäjä")
        ]

        # A completed assessment is corrected, not completed or recorded again.
        assert_refused(await http.post(f"{path}/complete", json=COMMANDS["complete"][0], headers=caseworker), "assessment_already_completed")
        assert_refused(await http.post(f"{path}/interview", json=COMMANDS["interview"][0], headers=caseworker), "assessment_already_completed")
        assert_refused(await http.post(f"{path}/start", json={}, headers=caseworker), "assessment_already_completed")
        corrected = await answered_quickly(http.post(f"{path}/corrections", json=COMMANDS["corrections"][0], headers=caseworker))
        assert corrected.status_code == 200, corrected.text
        assert corrected.json() == body == await case_now(http, case_id, caseworker)
        # A correction that names nothing to correct: refused by the workflow's validator (422).
        assert_refused(await http.post(f"{path}/corrections", json={"reason": "nothing"}, headers=caseworker), "correction_empty", 422)

        state = await http.get(path, headers=caseworker)
        assert state.status_code == 200, state.text
        state = state.json()
        assert (state["status"], state["case_status"], state["plan_needed"], state["plan_type"]) == ("completed", "awaiting_plan", True, "individual")
        assert (state["started_on"], state["completed_on"]) == (today().isoformat(), today().isoformat())
        assert state["schedule"]["on"] == "2030-01-10" and state["corrections"] == 1
        assert state["parts"] == {"literacy": "literate", "goals": "Work as a doctor"}
        assert (await http.get(path, headers=token(settings, "905"))).status_code == 404
        assert (await http.get(path, headers=token(settings, "109", role="admin"))).status_code == 403


@pytest.fixture
def brief_corrections(tmp_path, amqp_url, temporal_address, database_url):
    """Settings whose policy keeps a completed assessment open for no corrections at all."""
    policy = tmp_path / "policy.toml"
    policy.write_text("assessment_correction_days = 0\n", encoding="utf-8")
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, policy_file=policy)


async def test_no_plan_needed_closes_the_case_and_an_ended_assessment_takes_no_commands(brief_corrections, amqp_url):
    settings = brief_corrections
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        case_id = (await registered_case(http, amqp_url, caseworker))["case_id"]
        path = f"/api/v1/cases/{case_id}/assessment"
        assert (await http.post(f"{path}/start", json={}, headers=caseworker)).status_code == 200

        # The workflow's own validation: a plan type without a plan.
        invalid = await http.post(f"{path}/complete", json={"plan_needed": False, "plan_type": "individual"}, headers=caseworker)
        assert_refused(invalid, "plan_type_without_plan", 422)
        assert "individual" in invalid.json()["detail"]["messages"]["en"]

        completed = await http.post(f"{path}/complete", json={"plan_needed": False, "reason": "Already employed"}, headers=caseworker)
        assert completed.status_code == 200, completed.text
        body = completed.json()
        assert (body["stage"], body["status"], body["next_deadline"], body["deadlines"]) == ("closed", "plan_not_needed", None, [])
        assert body == await case_now(http, case_id, caseworker)

        # With no time left for corrections the assessment has ended: nothing is open to command.
        handle = runtime.temporal.get_workflow_handle(assessment_workflow_id(case_id))

        async def ended():
            return (await handle.describe()).status.name == "COMPLETED"

        await eventually(ended, what="the assessment's end")
        for name in ("start", "corrections"):
            refused = await http.post(f"{path}/{name}", json=COMMANDS[name][0], headers=caseworker)
            assert_refused(refused, "assessment_not_open")
        assert await case_now(http, case_id, caseworker) == body


def test_every_refusal_of_the_workflow_has_its_texts():
    """Each code the assessment's validators (and the rules they call) refuse with is in the
    catalogue, in fi/sv/en."""
    trees = [ast.parse(inspect.getsource(module)) for module in (assessment_workflows, assessment_rules)]
    codes = {
        call.args[0].value
        for tree in trees
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "refuse" and call.args and isinstance(call.args[0], ast.Constant)
    }
    assert len(codes) >= 10, codes
    for code in codes | {"assessment_not_open", "assessment_not_found", "assessment_refused"}:
        assert set(MESSAGES.get(code, {})) == {"fi", "sv", "en"}, code


def test_a_refusal_the_catalogue_lacks_is_answered_with_the_generic_reason():
    fallback = assessment_api.ASSESSMENT_COMMANDS.fallback
    known = staff_commands.refusal_of(
        ApplicationError("before", {"status": 422, "params": {"on": "2030-01-01", "started_on": "2030-02-01"}}, type="assessment_completed_before_start"), fallback
    )
    assert (known.code, known.status, known.params) == ("assessment_completed_before_start", 422, {"on": "2030-01-01", "started_on": "2030-02-01"})
    unknown = staff_commands.refusal_of(ApplicationError("only a completed assessment is corrected", {"status": 409}, type="not_in_catalogue"), fallback)
    assert (unknown.code, unknown.status, unknown.params) == ("assessment_refused", 409, {"reason": "only a completed assessment is corrected"})


async def test_a_coordinator_assigns_and_a_caseworker_takes(settings, amqp_url):
    coordinator = token(settings, "109", role="coordinator", sub="co-1")
    kaisa = token(settings, "109", role="caseworker", sub="cw-kaisa")
    other = token(settings, "109", role="caseworker", sub="cw-other")
    async with running(settings) as (runtime, http):
        case = await registered_case(http, amqp_url, coordinator)
        path = f"/api/v1/cases/{case['case_id']}/assignee"
        assert case["assignee"] is None

        # Who may: 404 for another municipality, 403 for a role that may not, 422 naming the fields.
        assert (await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa"}, headers=token(settings, "905", role="coordinator"))).status_code == 404
        assert (await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa"}, headers=kaisa)).status_code == 403
        assert (await http.post(f"{path}/take", headers=coordinator)).status_code == 403
        assert (await http.delete(path, headers=kaisa)).status_code == 403
        assert (await http.post(f"{path}/take", headers=no_role(settings))).status_code == 403
        invalid = await http.put(path, json={"sub": ""}, headers=coordinator)
        assert invalid.status_code == 422 and {problem["field"] for problem in invalid.json()["detail"]} == {"sub", "name"}

        assigned = await http.put(path, json={"sub": "cw-kaisa", "name": "Kaisa Virtanen"}, headers=coordinator)
        assert assigned.status_code == 200, assigned.text
        assert (assigned.json()["assignee"], assigned.json()["assignee_sub"]) == ("Kaisa Virtanen", "cw-kaisa")
        assert assigned.json()["timeline"][-1]["changed_by"] == "Testi Käyttäjä"
        [listed] = (await http.get("/api/v1/cases", headers=other)).json()["items"]
        assert listed["assignee"] == "Kaisa Virtanen"

        taken = await http.post(f"{path}/take", headers=other)
        assert taken.status_code == 409 and taken.json()["detail"]["code"] == "case_already_assigned"
        assert_three_languages(taken)

        # The case's caseworker notification goes to its assignee, not to every caseworker.
        async with runtime.contexts["intake"].db.session() as session:
            await intake_service.request_notification(
                session,
                NotificationRequest(notification_id=uuid4(), kind="deadline_missed", case_id=case["case_id"], recipient_role="caseworker",
                                    params={"deadline": "assessment_start", "due_on": "2030-01-01"}),
            )
            await session.commit()

        async def told(headers):
            return [item for item in (await http.get("/api/v1/notifications", headers=headers)).json() if item["case_id"] == case["case_id"]]

        [notification] = await eventually(lambda: told(kaisa), what="the assignee's notification")
        assert notification["recipient_sub"] == "cw-kaisa"
        assert await told(other) == []

        removed = await http.delete(path, headers=coordinator)
        assert removed.status_code == 200 and removed.json()["assignee"] is None
        taken = await http.post(f"{path}/take", headers=other)
        assert taken.status_code == 200, taken.text
        assert taken.json()["assignee_sub"] == "cw-other"
        reasons = [entry["reason"] for entry in taken.json()["timeline"]]
        assert reasons[-3:] == ["assignee.assigned", "assignee.removed", "assignee.taken"]


async def test_a_query_the_worker_cannot_answer_is_a_503_naming_temporal(settings, amqp_url, monkeypatch):
    staff = token(settings, "109")
    async with running(settings) as (_runtime, http):
        case = await registered_case(http, amqp_url, staff)

        async def failing(*_args, **_kwargs):
            raise WorkflowQueryFailedError("Encoded failure")  # as when the replay overran its deadline

        monkeypatch.setattr(WorkflowHandle, "query", failing)
        answer = await http.get(f"/api/v1/cases/{case['case_id']}/assessment", headers=staff)
        assert answer.status_code == 503, answer.text
        assert "Temporal" in answer.text
