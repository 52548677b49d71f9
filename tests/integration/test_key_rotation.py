"""Rotating the data key on a real Kotopolku (RabbitMQ, Temporal, SQLite and PostgreSQL): a client
registered by identity code under key A, Kotopolku restarted with key B (A previous), is found again
by identity code (a duplicate registration, a move), their sealed code is read for the Koto-AJ
hand-over, and their path started under A goes on under B. `kotopolku rekey` then rewrites the rows
so that B alone finds them; a second run changes nothing."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timezone

from sqlmodel import select

from services.cli_keys import rekey_all
from services.intake import known_clients, service as intake_service
from services.intake.handover.service import client_rows
from services.intake.models import Client, PersonRef, ResidentRegistered
from services.notifications.webhooks import service as webhooks
from services.notifications.webhooks.models import WebhookCreate, WebhookSubscription
from shared.auth import StaffUser
from shared.contracts import RESIDENT_MOVED
from shared.clock import today
from shared.crypto import sealed_with_current
from shared.db import Database
from shared.policy import load_policy
from support import PRODUCER, event, eventually, publish, registration, running, token, with_identity_code
from test_plan_api import case_awaiting_plan

KEY_A, KEY_B = base64.b64encode(b"A" * 32).decode(), base64.b64encode(b"B" * 32).decode()


async def clients(runtime) -> list[Client]:
    async with runtime.contexts["intake"].db.session() as session:
        return list((await session.exec(select(Client))).all())


async def test_a_client_registered_under_the_old_key_is_found_and_goes_on_under_the_new(settings, amqp_url):
    under_a = settings.model_copy(update={"data_key": KEY_A})
    rotating = settings.model_copy(update={"data_key": KEY_B, "data_key_previous": KEY_A})
    under_b_alone = settings.model_copy(update={"data_key": KEY_B})
    staff, new_staff = token(settings, "109", sub="cw-keys"), token(settings, "837", sub="cw-keys-837")
    first = with_identity_code(registration())
    code = first["person"]["personal_identity_code"]

    async with running(under_a) as (runtime, http):
        case = await case_awaiting_plan(http, amqp_url, staff, person=first["person"])
        [client] = await clients(runtime)
        assert sealed_with_current(under_a.data_key_bytes, client.identity_code_sealed)

    case_id = case["case_id"]
    async with running(rotating) as (runtime, http):
        # The same person registered again by another system: found by the hash made with A.
        again = registration(person=first["person"])
        async with runtime.contexts["intake"].db.session() as session:
            registered = await intake_service.register_resident(
                session, event=event(again, source=f"{PRODUCER}-other"), data=ResidentRegistered.model_validate(again),
                policy=load_policy().default, data_key=rotating.data_key_bytes,
            )
            await session.commit()
        assert not registered.created and registered.client.id == client.id

        # The plan workflow started under A: its history is read with A, it goes on under B.
        made = await http.post(f"/api/v1/cases/{case_id}/plan", json={"type": "individual", "measures": [
            {"kind": "integration_training", "service_code": "HAMK-KOTO-24", "provider": "HAMK", "language": "fi", "hours": 600, "status": "referred"},
        ]}, headers=staff)
        assert made.status_code == 200, made.text

        # The population register names the person by identity code alone.
        await publish(amqp_url, event({"person_ref": {"personal_identity_code": code}, "from_municipality_code": "109",
                                       "to_municipality_code": "837", "moved_on": today().isoformat()}, type=RESIDENT_MOVED))

        async def moved():
            return (await http.get(f"/api/v1/cases/{case_id}", headers=new_staff)).status_code == 200

        await eventually(moved, what="the case moved by identity code hashed with the previous key")
        closed = await http.post(f"/api/v1/cases/{case_id}/closure", json={"reason": "employed"}, headers=new_staff)
        assert closed.status_code == 200, closed.text

        async with runtime.contexts["intake"].db.session() as session:
            [row] = await client_rows(session, {client.id}, data_key=rotating.data_key_bytes)
        assert code in row.model_dump_json()
        assert len(await clients(runtime)) == 1

    # A webhook subscription whose signing secret was sealed under A.
    notifications = Database("notifications", settings.service_database_url("notifications"))
    try:
        async with notifications.session() as session:
            body = WebhookCreate(url="https://hooks.example.fi/kotopolku", event_types=["fi.kotopolku.case.updated.v1"], municipalities=["109"])
            operator = StaffUser(sub="operator", roles=["admin"], municipalities=["109"])
            subscription, secret = await webhooks.create_subscription(session, operator, body, under_a.data_key_bytes)
            await session.commit()
    finally:
        await notifications.dispose()

    lines: list[str] = []
    assert await rekey_all(rotating, echo=lines.append) == 0
    assert any(line.startswith("intake:") and "1 seen, 1 rewritten" in line for line in lines), lines
    assert any(line.startswith("notifications:") and "1 seen, 1 rewritten" in line for line in lines), lines
    lines.clear()
    assert await rekey_all(rotating, echo=lines.append) == 0
    assert all(" 0 rewritten" in line for line in lines), lines

    database = Database("intake", under_b_alone.service_database_url("intake"))
    try:
        async with database.session() as session:
            found = await known_clients.resolve_person(
                session, PersonRef(personal_identity_code=code), source=PRODUCER, data_key=under_b_alone.data_key_bytes
            )
            assert found.id == client.id
            assert sealed_with_current(under_b_alone.data_key_bytes, found.identity_code_sealed)
            [row] = await client_rows(session, {client.id}, data_key=under_b_alone.data_key_bytes)
    finally:
        await database.dispose()
    assert code in row.model_dump_json()
    notifications = Database("notifications", settings.service_database_url("notifications"))
    try:
        async with notifications.session() as session:
            stored = await session.get(WebhookSubscription, subscription.id)
            assert webhooks.signing_secrets(stored, under_b_alone.data_key_bytes, datetime.now(timezone.utc)) == [secret]
    finally:
        await notifications.dispose()


async def test_the_rekey_command_prints_counts_and_fails_on_rows_no_key_opens(tmp_path, database_url, monkeypatch):
    from click.testing import CliRunner

    from services.cli import main
    from services.intake.app import MIGRATIONS
    from shared.settings import load_settings

    for name in ("KOTOPOLKU_DATABASE_URL", "KOTOPOLKU_INTAKE_DATABASE_URL", "KOTOPOLKU_NOTIFICATIONS_DATABASE_URL", "KOTOPOLKU_DATA_KEY_PREVIOUS"):
        monkeypatch.delenv(name, raising=False)
    if database_url:
        monkeypatch.setenv("KOTOPOLKU_DATABASE_URL", database_url)
    monkeypatch.setenv("KOTOPOLKU_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KOTOPOLKU_LOG_FORMAT", "console")
    under_a = load_settings(data_key=KEY_A)
    database = Database("intake", under_a.service_database_url("intake"))
    try:
        await database.migrate(MIGRATIONS)
        async with database.session() as session:
            data = with_identity_code(registration())
            await intake_service.register_resident(
                session, event=event(data), data=ResidentRegistered.model_validate(data), policy=load_policy().default,
                data_key=under_a.data_key_bytes,
            )
            await session.commit()
    finally:
        await database.dispose()

    # click runs the command's own event loop: off this test's loop, in a thread.
    async def rekey(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return await asyncio.to_thread(CliRunner().invoke, main, ["rekey"])

    refused = await rekey(KOTOPOLKU_DATA_KEY=KEY_B)
    assert refused.exit_code == 1 and "1 rows were sealed with a key" in refused.output, refused.output
    done = await rekey(KOTOPOLKU_DATA_KEY=KEY_B, KOTOPOLKU_DATA_KEY_PREVIOUS=KEY_A)
    assert done.exit_code == 0 and "intake: clients' identity codes: 1 seen, 1 rewritten" in done.output, done.output
    again = await rekey(KOTOPOLKU_DATA_KEY=KEY_B)
    assert again.exit_code == 0 and "1 seen, 0 rewritten" in again.output, again.output
