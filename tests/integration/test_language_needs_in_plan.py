"""The client's recorded interpreter need reaches the plan, against real RabbitMQ, a real Temporal
dev server and the database: an interview booked without the recorded interpreter is on the case's
timeline as a need not met; a referral (`measure.referred`) and a review meeting
(`plan.reviewed`) tell the need recorded on the client — from the registration, and as staff change
it later — even when the assessment interview was booked without an interpreter; a measure's
place is told to the provider and bounded (422 naming the field)."""

from __future__ import annotations

import json

import aio_pika

from shared.clock import today
from shared.contracts import EVENTS_EXCHANGE, MEASURE_REFERRED, PLAN_REVIEWED
from support import event, eventually, make_settings, ok, person, publish, registration, running, token, with_identity_code


async def test_referrals_and_reviews_tell_the_recorded_interpreter_need_and_the_place(tmp_path, amqp_url, temporal_address, database_url):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-need-plan")
    async with running(settings) as (runtime, http):
        connection = await aio_pika.connect(amqp_url)
        channel = await connection.channel()
        feed = await channel.declare_queue(exclusive=True)
        await feed.bind(EVENTS_EXCHANGE, routing_key=MEASURE_REFERRED)
        await feed.bind(EVENTS_EXCHANGE, routing_key=PLAN_REVIEWED)

        await publish(amqp_url, event(with_identity_code(registration(municipality_code="091", person=person(
            family_name="Haddad", native_language="ar", preferred_languages=["ar"],
            interpreter={"language": "ar", "dialect": "Levantine"}, integration_language="fi",
        )))))

        async def case_listed():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["client"] and item["client"]["family_name"] == "Haddad" and item["next_deadline"]]

        [case] = await eventually(case_listed, what="the client's case")
        case_id = case["case_id"]
        day = today().isoformat()
        assessment = f"/api/v1/cases/{case_id}/assessment"

        async def open_(path: str) -> bool:
            return (await http.get(path, headers=staff)).status_code == 200

        await eventually(lambda: open_(assessment), what="the assessment workflow")
        # A dialect is bounded: 422 naming the field.
        bad = await http.post(f"{assessment}/schedule", json={"on": day, "interpreter_language": "ar", "interpreter_dialect": "x" * 101}, headers=staff)
        assert bad.status_code == 422 and "interpreter_dialect" in bad.text, bad.text
        # Booked without an interpreter: accepted, and the case's timeline says the need is not met;
        # the plan still knows the recorded need.
        await ok(http, "POST", f"{assessment}/schedule", staff, {"on": day, "place": "Kotokatu 1"})

        async def unmet_on_timeline():
            timeline = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()["timeline"]
            return [entry["reason"] for entry in timeline if entry["reason"].startswith("interpreter_need.")] or None

        assert await eventually(unmet_on_timeline, what="the unmet need on the timeline") == ["interpreter_need.not_booked: ar (Levantine)"]
        await ok(http, "POST", f"{assessment}/start", staff, {})
        await ok(http, "POST", f"{assessment}/complete", staff, {"plan_needed": True, "plan_type": "individual"})
        plan = f"/api/v1/cases/{case_id}/plan"
        await eventually(lambda: open_(plan), what="the plan workflow")
        await ok(http, "POST", plan, staff, {"type": "individual"})

        # A place is bounded and not empty: 422 naming the field, nothing recorded.
        for place in ("", "x" * 301):
            bad = await http.post(f"{plan}/measures", json={"kind": "mentoring", "place": place}, headers=staff)
            assert bad.status_code == 422 and "place" in bad.text, bad.text
        await ok(http, "POST", f"{plan}/measures", staff, {
            "kind": "integration_training", "provider": "Stadin AO", "language": "fi", "status": "referred",
            "place": "Hattulantie 2, Helsinki",
        })

        # Staff change the need: a Kurdish (Sorani) interpreter. The running plan hears it.
        await ok(http, "PUT", f"/api/v1/cases/{case_id}/language-needs", staff,
                 {"interpreter": {"language": "ku", "dialect": "Sorani"}, "integration_language": "fi"})

        async def plan_knows():
            shown = (await http.get(plan, headers=staff)).json()
            return shown if shown.get("interpreter_language") == "ku" else None

        await eventually(plan_knows, what="the changed need in the plan")
        added = await ok(http, "POST", f"{plan}/measures", staff, {"kind": "mentoring", "provider": "SPR", "place": "remote"})
        measure_id = added["measure_id"] if "measure_id" in added else None
        if measure_id is None:
            shown = (await http.get(plan, headers=staff)).json()
            measure_id = next(m["measure_id"] for m in shown["measures"] if m["kind"] == "mentoring")
        # Referred by a change: the place given then, the changed need told.
        await ok(http, "PATCH", f"{plan}/measures/{measure_id}", staff, {"status": "referred"})
        await ok(http, "POST", f"{plan}/reviews", staff, {"reviewed_on": day})

        received: list[dict] = []

        async def drained():
            while (message := await feed.get(fail=False)) is not None:
                await message.ack()
                body = json.loads(message.body)
                if body["data"]["case_id"] == case_id:
                    received.append(body)
            return len(received) >= 3 or None

        await eventually(drained, what="two referrals and a review")
        await connection.close()

    referrals = [e["data"] for e in received if e["type"] == MEASURE_REFERRED]
    [review] = [e["data"] for e in received if e["type"] == PLAN_REVIEWED]
    first, second = referrals
    need = lambda data: (data["interpreter_needed"], data["interpreter_language"], data["interpreter_dialect"])  # noqa: E731
    assert need(first) == (True, "ar", "Levantine")  # from the registration, not the interview booking
    assert first["place"] == "Hattulantie 2, Helsinki"
    assert need(second) == (True, "ku", "Sorani") and second["place"] == "remote"
    assert need(review) == (True, "ku", "Sorani")
