"""The case projection writes its views without reading them first (one statement each, on SQLite
and PostgreSQL), and still lets no older change arriving late overwrite a newer one."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest_asyncio

from services.notifications import handlers, service
from services.notifications.app import MIGRATIONS
from services.notifications.models import CaseView, ClientView
from shared.contracts import CASE_CHANGED, CaseChanged, ClientRecorded
from shared.db import Database
from shared.envelope import Envelope
from support import statements_sent


@pytest_asyncio.fixture
async def notifications_db(service_database):
    return await service_database("notifications", MIGRATIONS)


def recorded(client_id: uuid.UUID, case_id: uuid.UUID, family_name: str) -> ClientRecorded:
    return ClientRecorded(
        client_id=client_id, case_id=case_id, municipality_code="109", given_names="Amina", family_name=family_name,
        birth_date=date(1990, 4, 12), nationality="SO", native_language="so", residence_basis="work", lead="municipality",
        eligible=True, eligibility_reason="within the window",
    )


def changed(case_id: uuid.UUID, client_id: uuid.UUID, status: str, at: datetime, client: ClientRecorded | None = None) -> Envelope:
    change = CaseChanged(
        case_id=case_id, client_id=client_id, municipality_code="109", stage="assessment", status=status, changed_at=at,
        reason="fi.kotopolku.resident.registered.v1", client=client,
    )
    event = Envelope.new(type=CASE_CHANGED, source="/kotopolku/intake", data=change.model_dump(mode="json"), subject=str(case_id))
    return event.model_copy(update={"time": at})  # the client's record is as of the event's time


async def apply(database: Database, event: Envelope) -> list[str]:
    """The statements the projection sent for the event."""
    with statements_sent(database) as sent:
        async with database.session() as session:
            await handlers.case_changed(None, session, event)
            await session.commit()
    return sent


async def views(database: Database, case_id: uuid.UUID, client_id: uuid.UUID) -> tuple[CaseView, ClientView]:
    async with database.session() as session:
        return await session.get(CaseView, case_id), await session.get(ClientView, client_id)


async def test_a_registrations_change_writes_both_views_without_reading_them(notifications_db):
    case_id, client_id, at = uuid.uuid4(), uuid.uuid4(), datetime.now(timezone.utc)
    sent = await apply(notifications_db, changed(case_id, client_id, "awaiting_assessment", at, recorded(client_id, case_id, "Hassan")))
    assert not [statement for statement in sent if statement.startswith("SELECT") and ("FROM case_view" in statement or "FROM client_view" in statement)]
    case, client = await views(notifications_db, case_id, client_id)
    assert (case.status, case.client_id, case.deadlines, client.family_name, client.refused_channels) == (
        "awaiting_assessment", client_id, [], "Hassan", []
    )


async def test_an_older_change_arriving_late_overwrites_neither_view(notifications_db):
    case_id, client_id, at = uuid.uuid4(), uuid.uuid4(), datetime.now(timezone.utc)
    await apply(notifications_db, changed(case_id, client_id, "assessment_in_progress", at, recorded(client_id, case_id, "Hassan-Virtanen")))
    async with notifications_db.session() as session:  # the client refused e-mail meanwhile (client_messages/)
        client = await session.get(ClientView, client_id)
        client.refused_channels = ["email"]
        session.add(client)
        await session.commit()

    await apply(notifications_db, changed(case_id, client_id, "awaiting_assessment", at - timedelta(minutes=5), recorded(client_id, case_id, "Hassan")))
    case, client = await views(notifications_db, case_id, client_id)
    assert (case.status, client.family_name, client.refused_channels) == ("assessment_in_progress", "Hassan-Virtanen", ["email"])

    async with notifications_db.session() as session:
        await service.apply_client_recorded(session, recorded(client_id, case_id, "Virtanen"), at + timedelta(minutes=5))
        await session.commit()
    await apply(notifications_db, changed(case_id, client_id, "awaiting_plan", at + timedelta(minutes=5)))
    case, client = await views(notifications_db, case_id, client_id)
    assert (case.status, client.family_name, client.refused_channels) == ("awaiting_plan", "Virtanen", ["email"])
