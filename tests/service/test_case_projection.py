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
