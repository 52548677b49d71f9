"""Intake's client-and-case functions on a bare database (SQLite, no broker, no Temporal): what a
registration, a move and a case change record, and what each puts in the outbox."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from services.intake import service
from services.intake import known_clients
from services.intake.app import MIGRATIONS
from services.intake.models import Client, ClientCase, ResidentMoved, ResidentRegistered
from shared.contracts import CASE_CHANGED, CASE_UPDATED, CLIENT_RECORDED, NOTIFICATION_REQUESTED, RESIDENT_MOVED, CaseStatus, Deadline, DeadlineKind, Stage
from shared.db import Database
from shared.messaging import OutboxMessage
from shared.policy import add_months, load_policy
from support import event, registration

POLICY = load_policy().default
DATA_KEY = b"k" * 32


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


async def outbox(database) -> list[dict]:
    async with database.session() as session:
        rows = await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))
        return [json.loads(row.body) for row in rows]


async def register(database, data: dict) -> service.Registration:
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=DATA_KEY
        )
        await session.commit()
    return registered


async def test_a_registration_records_the_client_and_the_case_and_announces_both(database):
    data = registration(registered_on=date(2027, 1, 10))
    registered = await register(database, data)
    assert registered.created and registered.path is not None
    assert (registered.case.stage, registered.case.status) == (Stage.intake, CaseStatus.received)
    assert registered.path.assessment_due_on == add_months(date(2027, 1, 10), POLICY.assessment_start_months)
    assert registered.path.assessment.record_locally  # a new assessment writes its record by a local activity
    # The case is announced once, when the path opens in the same transaction (service.start_path,
    # tests/integration/test_registration_thread.py), not first as received.
    assert [message["type"] for message in await outbox(database)] == [CLIENT_RECORDED]
    recorded = (await outbox(database))[0]["data"]
    assert "personal_identity_code" not in json.dumps(recorded)

    again = await register(database, data)  # the same event again (a redelivery)
    assert not again.created and again.client.id == registered.client.id
    assert len(await outbox(database)) == 1
    async with database.session() as session:
        assert len((await session.exec(select(Client))).all()) == 1


async def test_a_registration_that_opens_the_path_is_one_internal_event_with_the_client_on_it(database):
    data = registration(registered_on=date(2027, 1, 10))
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=DATA_KEY
        )
        await service.start_path(session, registered.case, registered.path)
        await session.commit()
    sent = [message for message in await outbox(database) if message["type"] in (CLIENT_RECORDED, CASE_UPDATED, CASE_CHANGED)]
    assert [message["type"] for message in sent] == [CASE_UPDATED, CASE_CHANGED]
    public, internal = sent[0]["data"], sent[1]["data"]
    assert internal["client"]["family_name"] == data["person"]["family_name"] and internal["client"]["client_id"] == str(registered.client.id)
    assert "client" not in public  # the public event carries no personal data
    assert "personal_identity_code" not in json.dumps(internal)


async def test_a_client_outside_the_eligibility_window_is_recorded_with_the_reason_and_no_path(database):
    data = registration(registered_on=date(2027, 1, 10), first_permit_or_registration_on="2020-01-01")
    registered = await register(database, data)
    assert registered.path is None
    assert (registered.case.stage, registered.case.status) == (Stage.closed, CaseStatus.not_eligible)
    assert registered.client.eligible is False and registered.client.eligibility_reason
    updates = [message for message in await outbox(database) if message["type"] == CASE_UPDATED]
    assert [update["data"]["status"] for update in updates] == [CaseStatus.not_eligible]


async def test_a_move_takes_the_case_along_and_tells_both_municipalities(database):
    registered = await register(database, registration(municipality_code="109"))
    before = len(await outbox(database))
    moved = {"person_ref": {"client_id": str(registered.client.id)}, "from_municipality_code": "109",
             "to_municipality_code": "091", "moved_on": "2027-02-01"}
    move = event(moved, type=RESIDENT_MOVED)
    for _ in range(2):  # the same move reported twice changes nothing the second time
        async with database.session() as session:
            await known_clients.move_client(session, event=move, data=ResidentMoved.model_validate(moved), data_key=DATA_KEY)
            await session.commit()
    async with database.session() as session:
        client = await session.get(Client, registered.client.id)
        case = (await session.exec(select(ClientCase).where(ClientCase.client_id == client.id))).one()
    assert client.municipality_code == case.municipality_code == "091"

    sent = (await outbox(database))[before:]
    assert [message["type"] for message in sent] == [
        CLIENT_RECORDED, CASE_UPDATED, CASE_CHANGED, NOTIFICATION_REQUESTED, NOTIFICATION_REQUESTED
    ]
    told = {message["data"]["kind"]: message["data"]["municipality_code"] for message in sent[3:]}
    assert told == {"client_moved_out": "109", "client_moved_in": "091"}

    elsewhere = {**moved, "from_municipality_code": "092", "to_municipality_code": "905"}
    async with database.session() as session:
        with pytest.raises(known_clients.WrongMunicipality, match="lives in municipality 091, not 092"):
            await known_clients.move_client(session, event=event(elsewhere, type=RESIDENT_MOVED), data=ResidentMoved.model_validate(elsewhere), data_key=DATA_KEY)


async def test_a_case_moves_only_as_the_transition_table_allows(database):
    registered = await register(database, registration())
    deadline = Deadline(kind=DeadlineKind.assessment_start, due_on=date(2027, 3, 10))
    async with database.session() as session:
        case = await session.get(ClientCase, registered.case.id)
        assert await service.change_case(session, case, Stage.assessment, CaseStatus.awaiting_assessment, deadline, "test.start")
        # Already there, with the same deadline: a repeated activity changes nothing.
        assert not await service.change_case(session, case, Stage.assessment, CaseStatus.awaiting_assessment, deadline, "test.again")
        with pytest.raises(service.TransitionRefused, match="cannot move to"):
            await service.change_case(session, case, Stage.follow_up, CaseStatus.plan_active, None, "test.skip")
        await session.commit()
    async with database.session() as session:
        case = await session.get(ClientCase, registered.case.id)
    assert (case.stage, case.status, case.next_deadline_kind, case.next_deadline_on) == (
        Stage.assessment, CaseStatus.awaiting_assessment, "assessment_start", date(2027, 3, 10)
    )
    updates = [message["data"] for message in await outbox(database) if message["type"] == CASE_UPDATED]
    assert [(update["status"], update["reason"]) for update in updates][-1] == (CaseStatus.awaiting_assessment, "test.start")
    assert updates[-1]["next_deadline"] == {"kind": "assessment_start", "due_on": "2027-03-10"}
