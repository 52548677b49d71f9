"""A client's interpreter need and integration language, against real RabbitMQ, Temporal and the
database: the registration may bring them, staff may record or change them; staff see them on the
case, and a message to a client whose own language Kotopolku has no texts in falls back to the
integration language they chose (then the municipality's), with an interpreter marked needed."""

from __future__ import annotations

from sqlmodel import select

from services.notifications.client_messages.models import ClientMessage
from shared.clock import today
from support import event, eventually, make_settings, person, publish, registration, running, token, with_identity_code
from uuid import UUID


async def test_the_registration_and_staff_record_language_needs_and_messages_fall_back_to_the_integration_language(
    tmp_path, amqp_url, temporal_address, database_url
):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-language")
    async with running(settings) as (runtime, http):
        # Tigrinya: no client texts in it. The registration says a Tigrinya interpreter and Swedish
        # as the integration language (in Finnish-speaking Helsinki).
        await publish(amqp_url, event(with_identity_code(registration(municipality_code="091", person=person(
            family_name="Tesfay", native_language="ti", preferred_languages=["ti"], contact={"phone": "040 999 1111"},
            interpreter={"language": "ti", "dialect": "Eritrean"}, integration_language="sv",
        )))))

        async def case_listed():
            items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
            return [item for item in items if item["client"] and item["client"]["family_name"] == "Tesfay" and item["next_deadline"]]

        [case] = await eventually(case_listed, what="the client's case")
        case_id = case["case_id"]
        client = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()["client"]
        assert (client["interpreter_language"], client["interpreter_dialect"], client["integration_language"]) == ("ti", "Eritrean", "sv")

        # The interview invitation: in Swedish, the integration language, and staff see that an
        # interpreter or another channel is needed.
        assessment = f"/api/v1/cases/{case_id}/assessment"

        async def assessment_open():
            return (await http.get(assessment, headers=staff)).status_code == 200

        await eventually(assessment_open, what="the assessment workflow")
        booked = await http.post(f"{assessment}/schedule", json={"on": today().isoformat(), "interpreter_language": "ti"}, headers=staff)
        assert booked.status_code == 200, booked.text

        async def invitation():
            async with runtime.contexts["notifications"].db.session() as session:
                rows = (await session.exec(select(ClientMessage).where(ClientMessage.case_id == UUID(case_id), ClientMessage.kind == "assessment_invited"))).all()
            return rows or None

        [message] = await eventually(invitation, what="the interview invitation")
        assert (message.language, message.interpreter_needed, message.channel) == ("sv", True, "sms")
        assert "tolk" in message.text.lower()  # the invitation says an interpreter is booked

        # The figures group by the interpreter booked (one client: the group is there, its counts hidden).
        async def grouped():
            figures = (await http.get("/api/v1/figures/assessments", params={"by": "interpreter_language"}, headers=staff)).json()
            return figures["groups"] if any(row["group"] == "ti" for row in figures["groups"]) else None

        [row] = await eventually(grouped, what="the assessment figures by the interpreter's language")
        assert row["became_clients"] is None and "became_clients" in row["hidden"]

        # Staff record the needs anew: no interpreter, Finnish. A bad body names its fields.
        needs = f"/api/v1/cases/{case_id}/language-needs"
        bad = await http.put(needs, json={"interpreter": {"language": "Tigrinya"}, "integration_language": "de"}, headers=staff)
        assert bad.status_code == 422 and "interpreter.language" in bad.text and "integration_language" in bad.text
        assert (await http.put(needs, json={"integration_language": "fi"}, headers=token(settings, "109"))).status_code == 404
        assert (await http.put(needs, json={"integration_language": "fi"}, headers=token(settings, "091", role="admin"))).status_code == 403
        changed = await http.put(needs, json={"integration_language": "fi"}, headers=staff)
        assert changed.status_code == 200, changed.text
        assert changed.json()["timeline"][-1]["reason"].startswith("language_needs.recorded")

        async def recorded():
            shown = (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()["client"]
            return shown if shown["integration_language"] == "fi" else None

        shown = await eventually(recorded, what="the new language needs on the case")
        assert (shown["interpreter_language"], shown["interpreter_dialect"]) == (None, None)
