"""The county's participant of a multi-sectoral assessment is chosen from the wellbeing services
county's staff list — the planning service's — never typed: the assessment service reads the list
with the caller's credentials (in-process, or over HTTP at KOTOPOLKU_PLANNING_URL when planning runs
apart), refuses one not on it (422 naming `wellbeing_county_participant_sub`), and the plan made
from the assessment without choosing inherits the chosen person."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from starlette.requests import Request

from services.assessment.command_checks import check_complete
from services.assessment.commands import CompleteAssessment
from shared.refusals import Refused
from support import app_of, event, eventually, free_port, make_settings, publish, registration, running, serving, token

COUNTY = "/api/v1/county/staff/Kanta-Hämeen hyvinvointialue"
STAFF = {"staff": [{"sub": "kh-liisa", "name": "Liisa Laine", "title": "sosiaalityöntekijä"}]}


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url):
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


def assert_refused(response, code: str, field: str) -> None:
    assert response.status_code == 422 and response.json()["detail"]["code"] == code, response.text
    messages = response.json()["detail"]["messages"]
    assert set(messages) == {"fi", "sv", "en"} and all(field in text for text in messages.values()), messages


async def started_assessment(http, amqp_url, staff) -> str:
    await publish(amqp_url, event(registration(municipality_code="109")))

    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment"]

    [case] = await eventually(found, what="the registered case")
    assessment = f"/api/v1/cases/{case['case_id']}/assessment"

    async def open_():
        return (await http.get(assessment, headers=staff)).status_code == 200

    await eventually(open_, what="the assessment workflow")
    assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
    return case["case_id"]


async def test_the_assessments_participant_is_chosen_and_the_plan_inherits_them(settings, amqp_url):
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        assert (await http.put(COUNTY, json=STAFF, headers=token(settings, "109", role="admin"))).status_code == 200
        case_id = await started_assessment(http, amqp_url, caseworker)
        complete = f"/api/v1/cases/{case_id}/assessment/complete"
        multi = {"plan_needed": True, "plan_type": "multi_sectoral"}

        assert_refused(await http.post(complete, json={**multi, "wellbeing_county_participant": "Liisa"}, headers=caseworker),
                       "wellbeing_participant_typed", "wellbeing_county_participant")
        assert_refused(await http.post(complete, json={**multi, "wellbeing_county_participant_sub": "someone"}, headers=caseworker),
                       "wellbeing_participant_not_county_staff", "wellbeing_county_participant_sub")
        missing = await http.post(complete, json=multi, headers=caseworker)
        assert missing.status_code == 422 and missing.json()["detail"]["code"] == "wellbeing_participant_missing", missing.text
        # Another municipality's staff: the case is not theirs (404), nothing is asked of planning.
        assert (await http.post(complete, json={**multi, "wellbeing_county_participant_sub": "kh-liisa"},
                                headers=token(settings, "905"))).status_code == 404

        completed = await http.post(complete, json={**multi, "wellbeing_county_participant_sub": "kh-liisa"}, headers=caseworker)
        assert completed.status_code == 200, completed.text
        assert completed.json()["status"] == "awaiting_plan"

        plan = f"/api/v1/cases/{case_id}/plan"

        async def plan_open():
            return (await http.get(plan, headers=caseworker)).status_code == 200

        await eventually(plan_open, what="the case's plan workflow")
        made = await http.post(plan, json={"type": "multi_sectoral"}, headers=caseworker)  # no participant chosen: the assessment's
        assert made.status_code == 200, made.text
        record = (await http.get(plan, headers=caseworker)).json()
        assert (record["wellbeing_county_participant"], record["wellbeing_county_participant_sub"]) == ("Liisa Laine", "kh-liisa")


async def test_the_list_is_read_over_http_when_planning_runs_apart(settings, amqp_url):
    """The check as the assessment service makes it when planning is another process: over HTTP
    at KOTOPOLKU_PLANNING_URL (here a real uvicorn serving planning), with the caller's token."""
    caseworker = token(settings, "109", role="caseworker", sub="cw-1")
    async with running(settings) as (runtime, http):
        assert (await http.put(COUNTY, json=STAFF, headers=token(settings, "109", role="admin"))).status_code == 200
        case_id = await started_assessment(http, amqp_url, caseworker)
        async with serving(app_of(runtime), free_port()) as url:
            alone = SimpleNamespace(state=SimpleNamespace(settings=settings.model_copy(update={"planning_url": url}), contexts={}))

            def request(headers: dict[str, str]) -> Request:
                raw = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
                return Request({"type": "http", "method": "POST", "path": "/", "headers": raw, "app": alone})

            body = CompleteAssessment(plan_needed=True, plan_type="multi_sectoral", wellbeing_county_participant_sub="kh-liisa")
            checked = await check_complete(None, request(caseworker), uuid.UUID(case_id), None, body)
            assert checked.wellbeing_county_participant == "Liisa Laine"
            with pytest.raises(Refused) as refused:
                await check_complete(None, request(caseworker), uuid.UUID(case_id), None,
                                     body.model_copy(update={"wellbeing_county_participant_sub": "someone"}))
            assert refused.value.status == 422
        # Planning not reachable: 503 naming it, nothing sent.
        gone = SimpleNamespace(state=SimpleNamespace(settings=settings.model_copy(update={"planning_url": f"http://127.0.0.1:{free_port()}"}), contexts={}))
        with pytest.raises(Refused) as down:
            await check_complete(None, Request({"type": "http", "method": "POST", "path": "/", "headers": [], "app": gone}),
                                 uuid.UUID(case_id), None, body)
        assert down.value.status == 503
