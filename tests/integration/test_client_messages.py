"""Messages to clients (CONTRACT §7) against real RabbitMQ, a real Temporal dev server, the
database and a real SMTP server: an interview booked by staff reaches the SMS file and the
client's mailbox in the client's language, exactly once, also when Kotopolku stops between
recording a message and sending it; a client who refused SMS gets none; a client whose languages
Kotopolku has no texts for gets Finnish and staff see that an interpreter is needed; staff see
when a client has no channel at all."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import timedelta
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from services.notifications.client_messages.delivery import ClientMessageDelivery
from services.notifications.client_messages.models import ClientMessage
from shared.clock import today
from support import event, eventually, free_port, make_settings, person, publish, registration, running, token, with_identity_code


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler interface
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@pytest.fixture
def mailbox():
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port = port
    yield box
    controller.stop()


def sms_lines(settings) -> list[dict]:
    path = settings.var_dir / "sms.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


async def registered_case(http, staff, family_name: str) -> dict:
    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item for item in items if item["status"] == "awaiting_assessment" and item["client"]["family_name"] == family_name]

    [case] = await eventually(found, what=f"the case of {family_name}")
    assessment = f"/api/v1/cases/{case['case_id']}/assessment"

    async def workflow_answers():
        return (await http.get(assessment, headers=staff)).status_code == 200

    await eventually(workflow_answers, what="the assessment workflow")
    return case


async def schedule(http, staff, case_id: str, body: dict) -> None:
    answer = await http.post(f"/api/v1/cases/{case_id}/assessment/schedule", json=body, headers=staff)
    assert answer.status_code == 200, answer.text


async def messages_of(runtime, case_id: str) -> list[ClientMessage]:
    async with runtime.contexts["notifications"].db.session() as session:
        return list(await session.exec(select(ClientMessage).where(ClientMessage.case_id == UUID(case_id))))


async def test_a_booked_interview_reaches_sms_and_mail_in_the_clients_language_once_across_a_restart(
    tmp_path, amqp_url, temporal_address, database_url, mailbox, monkeypatch
):
    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url,
        smtp_host="127.0.0.1", smtp_port=mailbox.port,
    )
    staff = token(settings, "091", role="caseworker", sub="cw-messages")
    data = with_identity_code(registration(municipality_code="091", person=person(
        family_name="Haddad", native_language="so", preferred_languages=["ar", "fi"],
        contact={"email": "haddad@example.org", "phone": "040 765 4321"},
    )))
    on = today() + timedelta(days=10)

    # Kotopolku records the invitation and stops before its delivery loop sends it.
    async def stopped_before_sending(self):
        return 0

    monkeypatch.setattr(ClientMessageDelivery, "deliver_pending", stopped_before_sending)
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(data))
        case = await registered_case(http, staff, "Haddad")
        case_id = case["case_id"]
        await schedule(http, staff, case_id, {"on": on.isoformat(), "at": "10:30", "place": "Kaupungintalo, Pohjoisesplanadi 11", "interpreter_language": "so"})
        recorded = await eventually(lambda: _pending(runtime, case_id, 2), what="the invitation recorded for SMS and e-mail")
    assert sms_lines(settings) == [] and mailbox.messages == []
    assert {message.language for message in recorded} == {"ar"}
    monkeypatch.undo()

    # Started again: what was recorded leaves, once.
    async with running(settings) as (runtime, http):
        await eventually(lambda: _sent(runtime, case_id, 2), timeout=60, what="the invitation sent")
        # A change of time follows it; once that has arrived, nothing of the first can still come.
        await schedule(http, staff, case_id, {"on": (on + timedelta(days=1)).isoformat(), "remote": True})
        await eventually(lambda: _sent(runtime, case_id, 4), timeout=60, what="the change sent")
        told = (await http.get(f"/api/v1/cases/{case_id}/client/messages", headers=staff)).json()

    lines = [line for line in sms_lines(settings) if line["case_id"] == case_id]
    assert [line["kind"] for line in lines] == ["assessment_invited", "assessment_rescheduled"]
    invitation = lines[0]
    assert set(invitation) == {"to", "language", "text", "case_id", "kind", "sent_at"}
    assert (invitation["to"], invitation["language"]) == ("+358407654321", "ar")
    assert f"{on.day}.{on.month}.{on.year}" in invitation["text"] and "10:30" in invitation["text"]
    assert "Kaupungintalo, Pohjoisesplanadi 11" in invitation["text"] and "الصومالية" in invitation["text"]
    mails = mailbox.to("haddad@example.org")
    assert len(mails) == 2
    assert mails[0]["Content-Language"] == "ar" and "Kaupungintalo" in mails[0].get_content()
    identity_code = data["person"]["personal_identity_code"]
    for text in [line["text"] for line in lines] + [mail.get_content() for mail in mails]:
        assert identity_code not in text and "international_protection" not in text

    assert sorted((message["kind"], message["channel"]) for message in told) == [
        ("assessment_invited", "email"), ("assessment_invited", "sms"), ("assessment_rescheduled", "email"), ("assessment_rescheduled", "sms")
    ]
    assert all((message["language"], message["state"], message["interpreter_needed"]) == ("ar", "sent", False) for message in told)
    assert all("text" not in message for message in told)


async def test_a_refused_channel_gets_nothing_and_an_unreadable_language_asks_for_an_interpreter(
    tmp_path, amqp_url, temporal_address, mailbox
):
    settings = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None,
        smtp_host="127.0.0.1", smtp_port=mailbox.port,
    )
    staff = token(settings, "091", role="caseworker", sub="cw-messages")
    data = registration(municipality_code="091", person=person(
        given_names="Yonas", family_name="Tesfay", birth_date="1985-02-03", native_language="ti", preferred_languages=[],
        contact={"email": "yonas@example.org", "phone": "+358 50 111 2222"},
    ))
    unreachable = registration(municipality_code="091", person=person(
        given_names="Leyla", family_name="Karimi", birth_date="1979-06-30", native_language="fa", preferred_languages=[], contact=None,
    ))
    async with running(settings) as (runtime, http):
        await publish(amqp_url, event(data))
        await publish(amqp_url, event(unreachable))
        case = await registered_case(http, staff, "Tesfay")
        case_id = case["case_id"]
        channels = f"/api/v1/cases/{case_id}/client/channels"

        bad = await http.put(channels, json={"refused": ["pigeon"]}, headers=staff)
        assert bad.status_code == 422 and "refused" in bad.text
        refused = await http.put(channels, json={"refused": ["sms"]}, headers=staff)
        assert refused.status_code == 200, refused.text
        assert refused.json() == {"refused": ["sms"], "sms": True, "email": True}
        assert (await http.get(channels, headers=staff)).json()["refused"] == ["sms"]

        await schedule(http, staff, case_id, {"on": (today() + timedelta(days=7)).isoformat()})
        await eventually(lambda: _sent(runtime, case_id, 1), timeout=60, what="the invitation mailed")
        told = (await http.get(f"/api/v1/cases/{case_id}/client/messages", headers=staff)).json()
        # A client Kotopolku has no contact for: staff see that nothing could be sent.
        karimi = (await registered_case(http, staff, "Karimi"))["case_id"]
        await schedule(http, staff, karimi, {"on": (today() + timedelta(days=7)).isoformat()})

        async def not_sent():
            return (await http.get(f"/api/v1/cases/{karimi}/client/messages", headers=staff)).json()

        [nothing] = await eventually(not_sent, what="the message that could not be sent")
        assert (nothing["channel"], nothing["state"], nothing["reason"], nothing["language"]) == ("none", "not_sent", "client_message.not_sent", "fa")
        other_municipality = await http.get(f"/api/v1/cases/{case_id}/client/messages", headers=token(settings, "905"))
        assert other_municipality.status_code == 404

    assert [line for line in sms_lines(settings) if line["case_id"] == case_id] == []
    [mail] = mailbox.to("yonas@example.org")
    assert mail["Content-Language"] == "fi" and "alkukartoitukseen" in mail.get_content()
    [message] = told
    assert {name: message[name] for name in ("kind", "channel", "language", "state", "interpreter_needed", "reason")} == {
        "kind": "assessment_invited", "channel": "email", "language": "fi", "state": "sent", "interpreter_needed": True,
        "reason": "client_message.interpreter_needed",
    }
    assert "text" not in message


async def _pending(runtime, case_id: str, count: int) -> list[ClientMessage]:
    messages = await messages_of(runtime, case_id)
    return messages if len(messages) == count and all(message.state == "pending" for message in messages) else []


async def _sent(runtime, case_id: str, count: int) -> bool:
    messages = await messages_of(runtime, case_id)
    return len(messages) == count and all(message.state == "sent" for message in messages)
