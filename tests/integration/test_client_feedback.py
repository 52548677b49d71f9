"""The client in the loop, against real RabbitMQ, Temporal and the database: the plan's services
reach the client's page with their provider, time, language and interpreter (from the planning
service's domain events); a completed service and the case's closure each ask the client a few
questions on the page; the answer is kept apart from the case (no client, no case, no time) and
staff see it only in the figures, where a cell of fewer than five answers is hidden."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import select

from services.notifications.client_messages.models import ClientMessage
from services.notifications.feedback.models import FeedbackAnswer, FeedbackRequest
from shared.clock import today
from support import eventually, make_settings, refusal, running, token
from test_client_page_links import bearer, link_and_code, make_link, open_page, registered


async def test_the_client_sees_their_plans_services_and_answers_feedback_that_staff_see_only_as_figures(
    tmp_path, amqp_url, temporal_address, database_url
):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-feedback")
    async with running(settings) as (runtime, http):
        case_id = await registered(
            http, staff, amqp_url, "Rahimi", native_language="fa", preferred_languages=["fa"],
            contact={"email": "rahimi@example.org", "phone": "040 222 3333"},
        )
        link = await make_link(http, staff, case_id)
        link_token, code, _sent = await link_and_code(runtime, link["id"])
        client = bearer((await open_page(http, link_token, code)).json()["session"])
        page = (await http.get("/client/api/page", headers=client)).json()
        assert (page["measures"], page["feedback"]) == ([], [])

        # The interview is booked with a Dari interpreter; the assessment finds a plan needed.
        assessment = f"/api/v1/cases/{case_id}/assessment"

        async def assessment_open():
            return (await http.get(assessment, headers=staff)).status_code == 200

        await eventually(assessment_open, what="the assessment workflow")
        on = today()
        booked = await http.post(f"{assessment}/schedule", json={"on": on.isoformat(), "interpreter_language": "fa"}, headers=staff)
        assert booked.status_code == 200, booked.text
        assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
        assert (await http.post(f"{assessment}/complete", json={"plan_needed": True, "plan_type": "individual"}, headers=staff)).status_code == 200

        plan = f"/api/v1/cases/{case_id}/plan"

        async def plan_open():
            return (await http.get(plan, headers=staff)).status_code == 200

        await eventually(plan_open, what="the plan workflow")
        ends = on + timedelta(days=90)
        made = await http.post(plan, json={"type": "individual", "measures": [
            {"kind": "language_studies", "provider": "Helsingin aikuisopisto", "place": "Kaikukatu 2", "language": "fi", "starts_on": on.isoformat(),
             "ends_on": ends.isoformat(), "status": "referred"},
        ]}, headers=staff)
        assert made.status_code == 200, made.text

        async def measure_on_page():
            shown = (await http.get("/client/api/page", headers=client)).json()["measures"]
            return shown if shown else None

        [measure] = await eventually(measure_on_page, what="the plan's service on the client's page")
        assert measure == {
            "kind": "language_studies", "provider": "Helsingin aikuisopisto", "place": "Kaikukatu 2", "language": "fi", "interpreter_language": "fa",
            "starts_on": on.isoformat(), "ends_on": ends.isoformat(), "status": "referred",
        }

        # The service completes: the page asks the client about it.
        [planned] = (await http.get(plan, headers=staff)).json()["measures"]
        for status in ("started", "completed"):
            changed = await http.patch(f"{plan}/measures/{planned['measure_id']}", json={"status": status}, headers=staff)
            assert changed.status_code == 200, changed.text

        async def question_waits():
            shown = (await http.get("/client/api/page", headers=client)).json()
            return shown["feedback"] if shown["measures"][0]["status"] == "completed" and shown["feedback"] else None

        [question] = await eventually(question_waits, what="the feedback question on the page")
        assert (question["about"], question["measure_kind"], question["provider"]) == ("measure", "language_studies", "Helsingin aikuisopisto")

        # The client is told by message that the service ended and a question waits.
        async def told():
            async with runtime.contexts["notifications"].db.session() as session:
                rows = (await session.exec(select(ClientMessage).where(ClientMessage.case_id == UUID(case_id), ClientMessage.kind == "measure_completed"))).all()
            return rows or None

        told_by = await eventually(told, what="the message that a question waits")
        assert sorted((row.channel, row.language) for row in told_by) == [("email", "fa"), ("sms", "fa")]

        answer = f"/client/api/feedback/{question['id']}"
        assert (await http.post(answer, json={"usefulness": 4, "understood": "partly"})).status_code == 404  # not without the page
        bad = await http.post(answer, json={"usefulness": 7, "understood": "maybe"}, headers=client)
        assert bad.status_code == 422 and "usefulness" in bad.text and "understood" in bad.text
        assert (await http.post(f"/client/api/feedback/{UUID(int=1)}", json={"usefulness": 4, "understood": "yes"}, headers=client)).status_code == 404
        sent = await http.post(answer, json={"usefulness": 4, "understood": "partly"}, headers=client)
        assert sent.status_code == 204, sent.text
        refusal(await http.post(answer, json={"usefulness": 5, "understood": "yes"}, headers=client), "feedback_already_answered")
        assert (await http.get("/client/api/page", headers=client)).json()["feedback"] == []

        # Kept apart: the answer names no client, no case, no request and no time; only its groups and month.
        async with runtime.contexts["notifications"].db.session() as session:
            [kept] = (await session.exec(select(FeedbackAnswer))).all()
            request = await session.get(FeedbackRequest, UUID(question["id"]))
        assert set(FeedbackAnswer.__table__.columns.keys()) == {
            "id", "municipality_code", "month", "about", "measure_kind", "provider", "client_group", "usefulness", "understood",
        }
        assert (kept.municipality_code, kept.month, kept.measure_kind, kept.provider, kept.usefulness, kept.understood) == (
            "091", on.strftime("%Y-%m"), "language_studies", "Helsingin aikuisopisto", 4, "partly",
        )
        assert request.answered and not any(isinstance(column.type, sa.DateTime) and "answer" in name for name, column in FeedbackRequest.__table__.columns.items())

        # Staff see only figures: one answer is a cell under five, hidden (its mean too).
        figures = await http.get("/api/v1/figures/feedback", params={"by": "provider"}, headers=staff)
        assert figures.status_code == 200, figures.text
        total = figures.json()["total"]
        assert (total["answers"], total["usefulness_mean"]) == (None, None) and {"answers", "usefulness_mean"} <= set(total["hidden"])
        assert [row["answers"] for row in figures.json()["groups"]] == [None]
        assert (await http.get("/api/v1/figures/feedback", params={"by": "provider"}, headers=token(settings, "109"))).json()["groups"] == []
        wrong = await http.get("/api/v1/figures/feedback", params={"by": "gender"}, headers=staff)
        assert wrong.status_code == 422 and "by" in wrong.text
        csv = await http.get("/api/v1/figures/feedback", params={"by": "measure_kind", "format": "csv"}, headers={**staff, "Accept-Language": "fi"})
        assert csv.status_code == 200 and "Vastauksia" in csv.text and ".." in csv.text

        # At the closure the page asks about the services as a whole.
        assert (await http.post(f"/api/v1/cases/{case_id}/closure", json={"reason": "employed"}, headers=staff)).status_code == 200

        async def closure_question():
            return [q for q in (await http.get("/client/api/page", headers=client)).json()["feedback"] if q["about"] == "closure"] or None

        [closing] = await eventually(closure_question, what="the closure's feedback question")
        assert (closing["measure_kind"], closing["provider"]) == (None, None)
