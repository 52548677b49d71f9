"""Links to the client's own page, against real RabbitMQ, Temporal and the database: staff of the
case's municipality make one (the link and the code leave as client messages on different
channels); the page opens only with the code, a few wrong codes lock the link, a revoked or
expired link opens nothing (and closes a page opened with it), and every view is in the access
log."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

from sqlmodel import select

from services.notifications.client_messages.models import ClientMessage
from services.notifications.client_page.models import ClientLink
from services.notifications.client_page.service import MAX_WRONG_CODES, message_id
from shared.clock import now
from support import event, eventually, refusal, make_settings, person, publish, registration, running, token, with_identity_code


async def registered(http, staff, amqp_url, family_name: str, **person_fields) -> str:
    await publish(amqp_url, event(with_identity_code(registration(municipality_code="091", person=person(family_name=family_name, **person_fields)))))

    async def found():
        items = (await http.get("/api/v1/cases", headers=staff)).json()["items"]
        return [item["case_id"] for item in items if item["client"] and item["client"]["family_name"] == family_name and item["next_deadline"]]

    [case_id] = await eventually(found, what=f"the case of {family_name}, awaiting its assessment")
    return case_id


async def link_and_code(runtime, link_id: str) -> tuple[str, str, dict[str, ClientMessage]]:
    """The token and the code as the client receives them (the messages recorded to be sent)."""
    async with runtime.contexts["notifications"].db.session() as session:
        sent = {kind: await session.get(ClientMessage, message_id(UUID(link_id), kind)) for kind in ("page_link", "page_code")}
    link_token = re.search(r"/client/#(\S+)", sent["page_link"].text).group(1)
    code = re.search(r"\b(\d{6})\b", sent["page_code"].text).group(1)
    return link_token, code, sent


async def make_link(http, staff, case_id: str, **body) -> dict:
    answer = await http.post(f"/api/v1/cases/{case_id}/client/link", json=body, headers=staff)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def open_page(http, link_token: str, code: str):
    return await http.post("/client/api/session", json={"token": link_token, "code": code})


def bearer(session: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session}"}


async def test_the_link_opens_with_its_code_only_and_expired_revoked_or_locked_links_open_nothing(
    tmp_path, amqp_url, temporal_address, database_url
):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-link")
    coordinator = token(settings, "091", role="coordinator", sub="co-link")
    async with running(settings) as (runtime, http):
        case_id = await registered(
            http, staff, amqp_url, "Karimi", native_language="fa", preferred_languages=["fa"],
            contact={"email": "karimi@example.org", "phone": "040 111 2222"},
        )

        # Only staff of the case's municipality, and only caseworkers and coordinators, make links.
        assert (await http.post(f"/api/v1/cases/{case_id}/client/link", json={}, headers=token(settings, "109"))).status_code == 404
        assert (await http.post(f"/api/v1/cases/{case_id}/client/link", json={}, headers=token(settings, "091", role="admin"))).status_code == 403
        bad = await http.post(f"/api/v1/cases/{case_id}/client/link", json={"link_channel": "fax"}, headers=staff)
        assert bad.status_code == 422 and "link_channel" in bad.text

        link = await make_link(http, staff, case_id, link_channel="sms")
        assert (link["state"], link["link_channel"], link["code_channel"]) == ("active", "sms", "email")
        assert (link_expires := link["expires_at"][:10]) == (now() + timedelta(days=14)).date().isoformat(), link_expires
        link_token, code, sent = await link_and_code(runtime, link["id"])
        assert (sent["page_link"].channel, sent["page_link"].to, sent["page_link"].language) == ("sms", "+358401112222", "fa")
        assert (sent["page_code"].channel, sent["page_code"].to) == ("email", "karimi@example.org")
        assert code not in sent["page_link"].text and link_token not in sent["page_code"].text  # never together

        # Nothing without the code; a wrong code is refused; the right one opens a session.
        assert (await http.get("/client/api/page")).status_code == 404
        wrong = "000000" if code != "000000" else "111111"
        assert (await open_page(http, link_token, wrong)).status_code == 403
        assert (await open_page(http, "x" * 32, code)).status_code == 404
        opened = await open_page(http, link_token, code)
        assert opened.status_code == 200, opened.text
        assert opened.json()["language"] == "fa"
        page = await http.get("/client/api/page", headers=bearer(opened.json()["session"]))
        assert page.status_code == 200, page.text
        shown = page.json()
        assert (shown["language"], shown["direction"], shown["given_names"], shown["stage"]) == ("fa", "rtl", "Amina", "assessment")
        assert shown["next_step"]["kind"] == "assessment_start"
        assert "residence_basis" not in shown and "personal_identity_code" not in page.text

        # Every view is in the access log.
        log = (await http.get("/api/v1/access-log", params={"case_id": case_id}, headers=coordinator)).json()["items"]
        assert [entry["action"] for entry in log if entry["record_kind"] == "client_page"] == ["client_page.read"]

        # Revoked: the open page closes, the link opens nothing.
        revoked = await http.post(f"/api/v1/cases/{case_id}/client/links/{link['id']}/revocation", headers=staff)
        assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
        assert (await http.get("/client/api/page", headers=bearer(opened.json()["session"]))).status_code == 404
        assert (await open_page(http, link_token, code)).status_code == 404

        # A few wrong codes lock a link: then the right code opens nothing either.
        second = await make_link(http, staff, case_id)
        second_token, second_code, _sent = await link_and_code(runtime, second["id"])
        for attempt in range(MAX_WRONG_CODES):
            answer = await open_page(http, second_token, wrong)
            assert answer.status_code == (404 if attempt == MAX_WRONG_CODES - 1 else 403), (attempt, answer.text)
        assert (await open_page(http, second_token, second_code)).status_code == 404

        # Expired: nothing.
        third = await make_link(http, staff, case_id)
        third_token, third_code, _sent = await link_and_code(runtime, third["id"])
        async with runtime.contexts["notifications"].db.session() as session:
            row = await session.get(ClientLink, UUID(third["id"]))
            row.expires_at = now() - timedelta(minutes=1)
            session.add(row)
            await session.commit()
        assert (await open_page(http, third_token, third_code)).status_code == 404

        states = {item["id"]: item["state"] for item in (await http.get(f"/api/v1/cases/{case_id}/client/links", headers=staff)).json()}
        assert states == {link["id"]: "revoked", second["id"]: "locked", third["id"]: "expired"}

        # A client without a second channel can't be sent a link: the code must not travel with it.
        lone = await registered(http, staff, amqp_url, "Yksikanava", contact={"email": "yksi@example.org"})
        refused = await http.post(f"/api/v1/cases/{lone}/client/link", json={}, headers=staff)
        refusal(refused, "client_link_needs_two_channels")


async def test_coordinators_keep_their_municipalitys_welcome_package_and_the_client_reads_it(tmp_path, amqp_url, temporal_address, database_url):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-welcome")
    coordinator = token(settings, "091", role="coordinator", sub="co-welcome")
    own = {"items": [
        {"section": "housing", "language": "fi", "title": "Asuntoneuvonta", "body": "Kaupungin asuntoneuvonta auttaa maanantaisin.", "url": "https://www.hel.fi"},
        {"section": "housing", "language": "ar", "title": "استشارات السكن", "body": "تساعدك استشارات السكن في المدينة أيام الاثنين."},
    ]}
    async with running(settings) as (runtime, http):
        welcome = "/api/v1/municipalities/091/welcome"
        assert (await http.get(welcome, headers=staff)).json() == {"items": []}
        assert (await http.put(welcome, json=own, headers=staff)).status_code == 403  # coordinators keep it
        assert (await http.put("/api/v1/municipalities/109/welcome", json=own, headers=token(settings, "109", role="coordinator"))).status_code == 200
        assert (await http.put(welcome, json=own, headers=token(settings, "109", role="coordinator"))).status_code == 404
        bad = await http.put(welcome, json={"items": [{**own["items"][0], "section": "weather", "url": "http://x"}]}, headers=coordinator)
        assert bad.status_code == 422 and "section" in bad.text and "url" in bad.text
        saved = await http.put(welcome, json=own, headers=coordinator)
        assert saved.status_code == 200, saved.text
        assert (await http.get(welcome, headers=staff)).json() == {"items": [{"url": None} | item for item in own["items"]]}

        case_id = await registered(
            http, staff, amqp_url, "Mansour", native_language="ar", preferred_languages=["ar"],
            contact={"email": "mansour@example.org", "phone": "040 333 4444"},
        )
        link = await make_link(http, staff, case_id)
        link_token, code, _sent = await link_and_code(runtime, link["id"])
        session = (await open_page(http, link_token, code)).json()["session"]
        shown = (await http.get("/client/api/page", headers=bearer(session))).json()["welcome"]
        # The national defaults in fi/sv/en, the municipality's own after them in their section.
        assert [(entry["section"], entry["title"], entry["own"]) for entry in shown["ar"]] == [("housing", "استشارات السكن", True)]
        finnish = [(entry["section"], entry["own"]) for entry in shown["fi"]]
        assert finnish[:3] == [("registrations", False), ("housing", False), ("housing", True)]
        assert len(shown["en"]) == 6 and not any(entry["own"] for entry in shown["en"])


async def test_the_client_sends_a_self_report_before_the_assessment_and_staff_read_it_as_their_own_words(
    tmp_path, amqp_url, temporal_address, database_url
):
    settings = make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)
    staff = token(settings, "091", role="caseworker", sub="cw-self")
    coordinator = token(settings, "091", role="coordinator", sub="co-self")
    report = {
        "languages": [{"language": "arabia", "level": "native"}, {"language": "englanti", "level": "good"}],
        "education": "Lukio Damaskoksessa", "work_history": "Kirjanpitäjä 6 vuotta", "goals": "Töihin taloushallintoon",
        "help_wanted": "Suomen kurssi",
    }
    async with running(settings) as (runtime, http):
        case_id = await registered(
            http, staff, amqp_url, "Saleh", native_language="ar", preferred_languages=["ar"],
            contact={"email": "saleh@example.org", "phone": "040 777 8888"},
        )
        self_report = f"/api/v1/cases/{case_id}/client/self-report"
        assert (await http.get(self_report, headers=staff)).status_code == 404  # nothing sent yet
        link = await make_link(http, staff, case_id)
        link_token, code, _sent = await link_and_code(runtime, link["id"])
        client = bearer((await open_page(http, link_token, code)).json()["session"])

        assert (await http.put("/client/api/self-report", json=report)).status_code == 404  # not without the page's session
        bad = await http.put("/client/api/self-report", json={**report, "languages": [{"language": "suomi", "level": "expert"}]}, headers=client)
        assert bad.status_code == 422 and "level" in bad.text
        sent = await http.put("/client/api/self-report", json=report, headers=client)
        assert sent.status_code == 200, sent.text

        seen = await http.get(self_report, headers=staff)
        assert seen.status_code == 200, seen.text
        assert {name: seen.json()[name] for name in report} == report and seen.json()["verified"] is False
        assert (await http.get(self_report, headers=token(settings, "109"))).status_code == 404
        log = (await http.get("/api/v1/access-log", params={"case_id": case_id}, headers=coordinator)).json()["items"]
        assert "self_report.read" in [entry["action"] for entry in log]

        # Once the assessment is complete, the interview has been held: no more self-reports.
        assessment = f"/api/v1/cases/{case_id}/assessment"

        async def workflow_answers():
            return (await http.get(assessment, headers=staff)).status_code == 200

        await eventually(workflow_answers, what="the assessment workflow")
        assert (await http.post(f"{assessment}/start", json={}, headers=staff)).status_code == 200
        assert (await http.post(f"{assessment}/complete", json={"plan_needed": True}, headers=staff)).status_code == 200

        async def planning():
            return (await http.get(f"/api/v1/cases/{case_id}", headers=staff)).json()["stage"] == "planning"

        await eventually(planning, what="the case in planning")
        refusal(await http.put("/client/api/self-report", json=report, headers=client), "self_report_closed")
