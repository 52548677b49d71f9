"""A staff command answers with the case once the projection shows its change, and that answer is
one read in the access log — however long the projection took to catch up (the answer waits for
the projection's commit instead of looking again and again). Where the notifications service runs
in the same process, the command reads the case by calling it, not by a request of its own."""

from __future__ import annotations

import asyncio

from opentelemetry.trace import SpanKind

from services.notifications import service as notifications_service
from support import event, eventually, publish, registration, running, token

LAG_SECONDS = 1.0


async def test_a_command_is_one_read_in_the_access_log_while_the_projection_lags(settings, amqp_url, monkeypatch, spans):
    setup = token(settings, "109", role="coordinator", sub="setup")
    anna = token(settings, "109", role="caseworker", sub="cw-anna")
    coordinator = token(settings, "109", role="coordinator", sub="co-kaisa")
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(municipality_code="109")))

        async def awaiting_assessment():
            items = (await http.get("/api/v1/cases", headers=setup)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(awaiting_assessment, what="the registered case")
        case_id = case["case_id"]
        await eventually(
            lambda: _ok(http, f"/api/v1/cases/{case_id}/assessment", setup), what="the case's assessment workflow"
        )

        # From now on each change reaches the projection a second late.
        apply = notifications_service.apply_case_changed

        async def lagging(session, update):
            await asyncio.sleep(LAG_SECONDS)
            await apply(session, update)

        monkeypatch.setattr(notifications_service, "apply_case_changed", lagging)

        spans.clear()
        started = await http.post(f"/api/v1/cases/{case_id}/assessment/start", json={}, headers=anna)
        assert started.status_code == 200, started.text
        assert started.json()["status"] == "assessment_in_progress"  # the answer shows the change
        # One request through the application: the check before and the read after were calls.
        served = [span.name for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER and "http.request.method" in span.attributes]
        assert served == ["POST /api/v1/cases/{case_id}/assessment/start"], served
        assert await reads_by(http, coordinator, "cw-anna") == [("case.read", case_id)]

        taken = await http.post(f"/api/v1/cases/{case_id}/assignee/take", headers=anna)
        assert taken.status_code == 200, taken.text
        assert taken.json()["assignee_sub"] == "cw-anna"
        assert await reads_by(http, coordinator, "cw-anna") == [("case.read", case_id)] * 2

        # A case the user may not see is still refused before anything is done.
        other = token(settings, "905", role="caseworker", sub="cw-vaasa")
        assert (await http.post(f"/api/v1/cases/{case_id}/assessment/start", json={}, headers=other)).status_code == 404


async def test_a_read_waiting_for_a_change_answers_once_it_is_committed(settings, amqp_url):
    staff = token(settings, "109", sub="cw-reader")
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(registration(municipality_code="109")))

        async def settled():  # the path has opened the assessment: no change is on its way
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["status"] == "awaiting_assessment"]

        [case] = await eventually(settled, what="the registered case")
        path = f"/api/v1/cases/{case['case_id']}"
        first = (await http.get(path, headers=staff)).json()
        # Nothing newer: the read answers after `wait` with the case as it is.
        stale = await http.get(path, params={"changed_since": "2999-01-01T00:00:00Z", "wait": "0.2"}, headers=staff)
        assert stale.status_code == 200 and stale.json()["changed_at"] == first["changed_at"]
        # Already there: at once.
        now = await http.get(path, params={"changed_since": first["changed_at"]}, headers=staff)
        assert now.json()["changed_at"] == first["changed_at"]
        bad = await http.get(path, params={"changed_since": "yesterday", "wait": "60"}, headers=staff)
        assert bad.status_code == 422 and {problem["field"] for problem in bad.json()["detail"]} == {"changed_since", "wait"}
        assert (await http.head(path, headers=staff)).status_code == 204
        assert (await http.head(path, headers=token(settings, "905"))).status_code == 404


async def reads_by(http, coordinator, sub: str) -> list[tuple[str, str]]:
    log = (await http.get("/api/v1/access-log", params={"user_sub": sub, "page_size": 100}, headers=coordinator)).json()
    return [(item["action"], item["case_id"]) for item in log["items"]]


async def _ok(http, path, headers) -> bool:
    return (await http.get(path, headers=headers)).status_code == 200
