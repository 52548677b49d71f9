"""The employer API of CONTRACT.md §2 and the destination municipality's side of it, against real
RabbitMQ, a real Temporal server, SQLite and PostgreSQL: every status of a notice, refused
transitions, idempotency, validation, who sees what, the command line's keys, the employer's limit,
and Temporal away at submission. How a notice and a registration meet: test_notice_arrivals.py."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import select

from services.intake.notices import service
from services.intake.notices.workflows import RecruitmentNoticeWorkflow, notice_workflow_id
from services.runner import Runtime, create_app
from shared.settings import load_settings
from shared.clock import today as finnish_today
from support import (
    MATCH_REVIEWS as REVIEWS,
    MUNICIPAL_NOTICES as MUNICIPAL,
    NOTICES,
    employer_key,
    eventually,
    make_business_id,
    make_settings,
    notice,
    notifications,
    refusal,
    running,
    submitted,
    token,
)


async def test_received_acknowledged_withdrawn_and_expired_with_the_reasons_for_refusals(settings):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        staff = token(settings, "905")
        body = notice()
        created = await http.post(NOTICES, json=body, headers=employer)
        assert created.status_code == 201
        first = created.json()
        assert created.headers["location"] == f"{NOTICES}/{first['id']}"
        assert first["status"] == "received"
        assert {key: first[key] for key in body} == body  # what was sent, as it was sent

        # The destination municipality's caseworkers are told at once, in three languages.
        [told] = await eventually(lambda: notifications(http, staff, "notice_received"), what="notice_received")
        assert "Example Oy" in told["message"]["fi"] and "Nguyen Van An" in told["message"]["en"]
        assert set(told["message"]) == {"fi", "sv", "en"}

        acknowledged = await http.post(f"{MUNICIPAL}/{first['id']}/acknowledgement", headers=staff)
        assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
        assert acknowledged.json()["acknowledged_by"] == "Testi Käyttäjä"
        refusal(await http.post(f"{MUNICIPAL}/{first['id']}/acknowledgement", headers=staff), "notice_already_acknowledged")
        assert (await http.get(f"{NOTICES}/{first['id']}", headers=employer)).json()["status"] == "acknowledged"

        withdrawn = await http.post(f"{NOTICES}/{first['id']}/withdrawal", headers=employer)
        assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
        detail = refusal(await http.post(f"{NOTICES}/{first['id']}/withdrawal", headers=employer), "notice_already_withdrawn")
        assert detail["messages"]["en"] == "The notice can no longer be changed: the employer has withdrawn it."
        refusal(await http.post(f"{MUNICIPAL}/{first['id']}/acknowledgement", headers=staff), "notice_already_withdrawn")
        # The withdrawal ended the notice's workflow.
        state = await runtime.temporal.get_workflow_handle_for(RecruitmentNoticeWorkflow.run, notice_workflow_id(first["id"])).result()
        assert state.status == "withdrawn"

        # Expiry is the workflow's (see tests/workflows); here the same service step, on this database.
        second = await submitted(http, employer)
        async with runtime.contexts["intake"].db.session() as session:
            outcome = await service.expire_notice(session, uuid.UUID(second["id"]))
            await session.commit()
        assert outcome.status == "expired"
        assert (await http.get(f"{NOTICES}/{second['id']}", headers=employer)).json()["status"] == "expired"
        refusal(await http.post(f"{NOTICES}/{second['id']}/withdrawal", headers=employer), "notice_already_expired")


async def test_idempotency_keys_per_employer(settings):
    async with running(settings) as (runtime, http):
        first_employer = await employer_key(runtime)
        other_employer = await employer_key(runtime, make_business_id(1234567), "Toinen Oy")
        key = {"Idempotency-Key": "notice-2027-001"}
        first = await http.post(NOTICES, json=notice(), headers={**first_employer, **key})
        again = await http.post(NOTICES, json=notice(), headers={**first_employer, **key})
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json() and again.headers["location"] == first.headers["location"]

        changed = await http.post(NOTICES, json=notice(employment={"job_title": "Welder II"}), headers={**first_employer, **key})
        refusal(changed, "idempotency_key_reused")

        # Keys are the employer's own: another employer's same key is a new notice.
        independent = await http.post(NOTICES, json=notice(), headers={**other_employer, **key})
        assert independent.status_code == 201 and independent.json()["id"] != first.json()["id"]
        assert (await http.get(NOTICES, headers=first_employer)).json()["total"] == 1

        # At the same moment: still one notice.
        bodies = [notice(expected_arrival_on=(finnish_today() + timedelta(days=50)).isoformat())] * 4
        racing = await asyncio.gather(*(http.post(NOTICES, json=body, headers={**first_employer, "Idempotency-Key": "race"}) for body in bodies))
        assert {response.status_code for response in racing} == {201}
        assert len({response.json()["id"] for response in racing}) == 1
        assert (await http.get(NOTICES, headers=first_employer)).json()["total"] == 2


async def test_a_bad_body_names_every_bad_field_and_never_fails_the_server(settings):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        yesterday = (finnish_today() - timedelta(days=1)).isoformat()
        body = notice(
            recruit={"nationality": "Vietnam", "birth_date": "2030-01-01", "languages": ["vietnamese"]},
            employment={"workplace_municipality_code": "999"},
            expected_arrival_on=yesterday,
            consent={"given": False},
        )
        response = await http.post(NOTICES, json=body, headers={**employer, "Accept-Language": "fi"})
        assert response.status_code == 422
        answer = response.json()
        fields = {problem["field"] for problem in answer["detail"]}
        assert fields == {
            "recruit.nationality", "recruit.birth_date", "recruit.languages.0",
            "employment.workplace_municipality_code", "expected_arrival_on", "consent.given",
        }
        assert answer["code"] == "invalid_request" and answer["message"].startswith("Pyynnössä on virheellisiä kenttiä")
        assert all(field in answer["messages"]["en"] for field in fields)

        for raw in (b"not json", b"[]", b"null", b'{"recruit": "x"}', json.dumps(notice(family={"children_birth_years": [2 ** 70]})).encode()):
            odd = await http.post(NOTICES, content=raw, headers={**employer, "Content-Type": "application/json"})
            assert odd.status_code == 422, (raw, odd.text)
        long_key = await http.post(NOTICES, json=notice(), headers={**employer, "Idempotency-Key": "k" * 500})
        assert long_key.status_code == 422
        assert (await http.get(NOTICES, params={"status": "lost"}, headers=employer)).status_code == 422
        assert (await http.get(f"{NOTICES}/not-a-uuid", headers=employer)).status_code == 422
        assert (await http.get(NOTICES, headers=employer)).json()["total"] == 0


async def test_who_sees_what(settings):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        other_employer = await employer_key(runtime, make_business_id(7654321), "Toinen Oy")
        created = await submitted(http, employer)
        url = f"{NOTICES}/{created['id']}"

        missing = await http.get(url)
        assert missing.status_code == 401 and missing.json()["detail"]["code"] == "api_key_missing"
        wrong = await http.get(url, headers={"X-API-Key": "kp_not-a-key"})
        assert wrong.status_code == 401 and set(wrong.json()["detail"]["messages"]) == {"fi", "sv", "en"}

        # Another employer: as if the notice did not exist.
        assert (await http.get(url, headers=other_employer)).status_code == 404
        assert (await http.post(f"{url}/withdrawal", headers=other_employer)).status_code == 404
        assert (await http.get(NOTICES, headers=other_employer)).json()["items"] == []

        # Another municipality's staff: the same.
        staff_905, staff_109 = token(settings, "905"), token(settings, "109")
        assert (await http.get(f"{MUNICIPAL}/{created['id']}", headers=staff_905)).status_code == 200
        assert (await http.get(f"{MUNICIPAL}/{created['id']}", headers=staff_109)).status_code == 404
        assert (await http.post(f"{MUNICIPAL}/{created['id']}/acknowledgement", headers=staff_109)).status_code == 404
        assert (await http.get(MUNICIPAL, headers=staff_109)).json()["total"] == 0
        assert (await http.get(MUNICIPAL)).status_code == 401
        # Staff don't use the employers' API, employers not the staff's.
        assert (await http.get(MUNICIPAL, headers=employer)).status_code == 401
        assert (await http.get(url, headers=staff_905)).status_code == 401


async def test_pagination_and_status_filter(settings):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        ids = []
        for days in range(20, 25):
            ids.append((await submitted(http, employer, notice(arrival=finnish_today() + timedelta(days=days))))["id"])
        for notice_id in ids[:2]:
            assert (await http.post(f"{NOTICES}/{notice_id}/withdrawal", headers=employer)).status_code == 200

        pages = [(await http.get(NOTICES, params={"page": page, "page_size": 2}, headers=employer)).json() for page in (1, 2, 3)]
        assert [page["total"] for page in pages] == [5, 5, 5]
        assert [len(page["items"]) for page in pages] == [2, 2, 1]
        assert [item["id"] for page in pages for item in page["items"]] == ids[::-1]  # newest first
        assert pages[0]["page"] == 1 and pages[0]["page_size"] == 2

        withdrawn = (await http.get(NOTICES, params={"status": "withdrawn"}, headers=employer)).json()
        assert withdrawn["total"] == 2 and {item["id"] for item in withdrawn["items"]} == set(ids[:2])

        staff = token(settings, "905")
        received = (await http.get(MUNICIPAL, params={"status": "received", "page_size": 2}, headers=staff)).json()
        assert received["total"] == 3 and [item["id"] for item in received["items"]] == ids[2:4]  # soonest arrival first
        first = received["items"][0]
        assert first["employer"] == {"business_id": "0112038-9", "name": "Example Oy"}
        assert first["preparations"] == {"daycare_ages": [5], "school_ages": [8], "adults": 1, "housing_advice": True}


async def test_the_command_line_issues_rotates_and_revokes_keys(settings, database_url):
    async with running(settings) as (runtime, http):
        env = {**os.environ, "KOTOPOLKU_VAR_DIR": str(settings.var_dir)}
        if database_url:
            env["KOTOPOLKU_DATABASE_URL"] = database_url

        async def kotopolku(*args: str) -> tuple[int, list[str], str]:
            process = await asyncio.create_subprocess_exec(
                str(Path(sys.executable).with_name("kotopolku")), "employers", *args, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            out, err = await process.communicate()
            return process.returncode, out.decode().strip().splitlines(), err.decode()

        code, lines, _ = await kotopolku("create", "--business-id", "0112038-9", "--name", "Example Oy")
        assert code == 0 and len(lines) >= 2 and " " not in lines[-1]
        key = {"X-API-Key": lines[-1]}
        assert (await http.post(NOTICES, json=notice(), headers=key)).status_code == 201

        code, _, error = await kotopolku("create", "--business-id", "0112038-9", "--name", "Again Oy")
        assert code != 0 and "already registered" in error
        code, _, error = await kotopolku("create", "--business-id", "0112038-8", "--name", "Typo Oy")
        assert code != 0 and "check digit" in error

        code, lines, _ = await kotopolku("rotate", "--business-id", "0112038-9")
        assert code == 0
        rotated = {"X-API-Key": lines[-1]}
        assert (await http.get(NOTICES, headers=key)).status_code == 401
        assert (await http.get(NOTICES, headers=rotated)).json()["total"] == 1  # the same employer's notices

        code, _, _ = await kotopolku("revoke", "--business-id", "0112038-9")
        assert code == 0
        revoked = await http.get(NOTICES, headers=rotated)
        assert revoked.status_code == 401 and revoked.json()["detail"]["code"] == "api_key_invalid"
        code, lines, _ = await kotopolku("list")
        assert code == 0 and lines == ["0112038-9\trevoked\tExample Oy"]


async def test_an_employer_submits_a_limited_number_of_notices(tmp_path, amqp_url, temporal_address, database_url):
    limited = make_settings(
        tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url, employer_notices_per_hour=2
    )
    async with running(limited) as (runtime, http):
        employer = await employer_key(runtime)
        other = await employer_key(runtime, make_business_id(7), "Other Oy")
        first = await submitted(http, employer, **{"Idempotency-Key": "one"})
        await submitted(http, employer)
        refused = await http.post(NOTICES, json=notice(), headers={**employer, "Accept-Language": "sv"})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        detail = refused.json()["detail"]
        assert detail["code"] == "too_many_notices" and set(detail["messages"]) == {"fi", "sv", "en"}
        assert detail["message"] == detail["messages"]["sv"]
        # A repeated Idempotency-Key is answered as before; another employer has its own limit.
        again = await http.post(NOTICES, json=notice(), headers={**employer, "Idempotency-Key": "one"})
        assert (again.status_code, again.json()["id"]) == (201, first["id"])
        await submitted(http, other)


async def test_temporal_away_delays_the_notice_workflow_and_does_not_fail_the_employer(tmp_path, temporal_env, temporal_address):
    from shared.workflow_commands import WorkflowCommand, WorkflowCommandRelay

    # Intake's HTTP side with no Temporal at all: the submission still commits, its start waits.
    runtime = Runtime(load_settings(var_dir=tmp_path / "var", log_format="console"), ["intake"])
    await runtime.migrate()
    db = runtime.contexts["intake"].db
    transport = httpx.ASGITransport(app=create_app(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://kotopolku") as http:
            employer = await employer_key(runtime)
            response = await http.post(NOTICES, json=notice(), headers={**employer, "Idempotency-Key": "k1"})
            assert response.status_code == 201 and response.json()["status"] == "received"
            notice_id = response.json()["id"]
        async with db.session() as session:
            [start] = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_id == f"notice-{notice_id}"))).all()
        assert (start.kind, start.sent_at) == ("start", None)

        # Temporal answers again: the start leaves.
        await WorkflowCommandRelay(db, temporal_env.client).send_pending()
        description = await temporal_env.client.get_workflow_handle(f"notice-{notice_id}").describe()
        assert description.workflow_type == "RecruitmentNotice"
    finally:
        await db.dispose()


async def test_a_repeated_submission_gets_its_first_answer_even_after_the_dates_have_passed(settings, monkeypatch):
    import services.intake.notices.models as models

    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        body = notice(expected_arrival_on=(finnish_today() + timedelta(days=10)).isoformat())
        headers = {**employer, "Idempotency-Key": "sent-before-the-arrival"}
        first = await http.post(NOTICES, json=body, headers=headers)
        assert first.status_code == 201

        # A month later the employer's system sends the same request again (a lost answer).
        monkeypatch.setattr(models, "finnish_today", lambda: finnish_today() + timedelta(days=40))
        again = await http.post(NOTICES, json=body, headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        # As a new submission, the same body is refused today.
        new = await http.post(NOTICES, json=body, headers={**employer, "Idempotency-Key": "a-new-one"})
        assert new.status_code == 422


async def test_only_caseworkers_and_coordinators_change_notices_and_reviews(settings):
    async with running(settings) as (runtime, http):
        employer = await employer_key(runtime)
        created = await submitted(http, employer)
        admin, coordinator = token(settings, "905", role="admin"), token(settings, "905", role="coordinator")
        somebody = uuid.uuid4()
        writes = [
            (f"{MUNICIPAL}/{created['id']}/acknowledgement", None),
            (f"{REVIEWS}/{somebody}/resolution", {"decision": "reject"}),
            (f"/api/v1/municipal/duplicate-reviews/{somebody}/resolution", {"decision": "different_people"}),
        ]
        for url, body in writes:
            refused = await http.post(url, json=body, headers=admin)
            assert refused.status_code == 403, (url, refused.text)
            detail = refused.json()["detail"]
            assert detail["code"] == "forbidden_role" and set(detail["messages"]) == {"fi", "sv", "en"}
        # An admin may still read what staff read.
        assert (await http.get(f"{MUNICIPAL}/{created['id']}", headers=admin)).status_code == 200

        acknowledged = await http.post(f"{MUNICIPAL}/{created['id']}/acknowledgement", headers=coordinator)
        assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
        for url, body in writes[1:]:
            assert (await http.post(url, json=body, headers=coordinator)).status_code == 404
