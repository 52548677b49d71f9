"""The notifications projection on a bare database: an older record arriving late changes nothing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from services.notifications import service
from services.notifications.app import MIGRATIONS
from services.notifications.models import ClientView
from shared.contracts import ClientRecorded
from shared.db import Database


def recorded(client_id, family_name: str) -> ClientRecorded:
    return ClientRecorded(
        client_id=client_id, case_id=uuid.uuid4(), municipality_code="109", given_names="Amina", family_name=family_name,
        birth_date=date(1990, 4, 12), nationality="SO", native_language="so", residence_basis="work", lead="municipality",
        eligible=True, eligibility_reason="within the window",
    )


async def test_an_older_client_record_does_not_overwrite_a_newer_one(tmp_path):
    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    client_id, now = uuid.uuid4(), datetime.now(timezone.utc)
    try:
        async with database.session() as session:
            await service.apply_client_recorded(session, recorded(client_id, "Hassan-Virtanen"), now)
            await session.commit()
        async with database.session() as session:
            await service.apply_client_recorded(session, recorded(client_id, "Hassan"), now - timedelta(minutes=5))
            await session.commit()
        async with database.session() as session:
            assert (await session.get(ClientView, client_id)).family_name == "Hassan-Virtanen"
            await service.apply_client_recorded(session, recorded(client_id, "Virtanen"), now + timedelta(minutes=5))
            await session.commit()
        async with database.session() as session:
            assert (await session.get(ClientView, client_id)).family_name == "Virtanen"
    finally:
        await database.dispose()


async def test_the_client_view_keeps_the_target_group_staff_see(tmp_path):
    from services.notifications.models import ClientSummary

    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    client_id = uuid.uuid4()
    try:
        async with database.session() as session:
            decided = recorded(client_id, "Hassan").model_copy(update={"target_group": "international_protection"})
            await service.apply_client_recorded(session, decided, datetime.now(timezone.utc))
            await session.commit()
        async with database.session() as session:
            view = await session.get(ClientView, client_id)
        assert ClientSummary.model_validate(view, from_attributes=True).target_group == "international_protection"
    finally:
        await database.dispose()


async def test_a_case_change_with_the_client_on_it_records_both_and_the_timeline_keeps_no_personal_data(tmp_path):
    from sqlmodel import select

    from services.notifications import handlers
    from services.notifications.models import CaseChange, CaseView
    from shared.contracts import CASE_CHANGED, CaseChanged
    from shared.envelope import Envelope

    database = Database("notifications", f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    client_id = uuid.uuid4()
    client = recorded(client_id, "Hassan")
    change = CaseChanged(
        case_id=client.case_id, client_id=client_id, municipality_code="109", stage="assessment", status="awaiting_assessment",
        changed_at=datetime.now(timezone.utc), reason="fi.kotopolku.resident.registered.v1", client=client,
    )
    event = Envelope.new(type=CASE_CHANGED, source="/kotopolku/intake", data=change.model_dump(mode="json"), subject=str(client.case_id))
    try:
        async with database.session() as session:
            await handlers.case_changed(None, session, event)
            await session.commit()
        async with database.session() as session:
            assert (await session.get(ClientView, client_id)).family_name == "Hassan"
            assert (await session.get(CaseView, client.case_id)).status == "awaiting_assessment"
            [stored] = (await session.exec(select(CaseChange))).all()
        assert "client" not in stored.data and "Hassan" not in str(stored.data)
    finally:
        await database.dispose()
