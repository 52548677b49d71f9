"""Case changes are numbered in the order they commit (SQLite and PostgreSQL): a change whose
transaction is slow cannot end up below one a live stream has already sent, however late it
commits — no look-back window to outrun."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timezone

from sqlalchemy import text

from services.notifications import service
from services.notifications.app import MIGRATIONS
from shared.auth import StaffUser
from shared.contracts import CaseChanged
from shared.db import Database
from support import eventually

STAFF = StaffUser(sub="cw", roles=["caseworker"], municipalities=["109"])


def changed() -> CaseChanged:
    return CaseChanged(
        case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", stage="assessment",
        status="awaiting_assessment", changed_at=datetime.now(timezone.utc), reason="test",
    )


async def test_a_change_committing_late_is_not_numbered_below_one_committed_before_it(tmp_path, database_url):
    database = Database("notifications", database_url or f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    slow, quick = changed(), changed()

    async def apply_quickly() -> None:
        async with database.session() as session:
            await service.apply_case_changed(session, quick)
            await session.commit()

    try:
        async with database.session() as session:
            await service.apply_case_changed(session, slow)
            await session.flush()  # numbered, not committed: a slow transaction
            other = asyncio.create_task(apply_quickly())
            if database_url:  # the quick one waits for the slow one's commit
                async def quick_one_waits() -> bool:
                    async with database.engine.connect() as connection:
                        waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'case_change'::regclass"
                        return (await connection.execute(text(waiting))).scalar_one() > 0
                await eventually(quick_one_waits, what="the second change to wait for the first one's commit")
            async with database.session() as reader:  # what a stream sees meanwhile: nothing to skip past
                assert await service.changes_after(reader, STAFF, 0) == []
            await session.commit()
        await other
        async with database.session() as reader:
            sent = await service.changes_after(reader, STAFF, 0)
        assert [change.case_id for change in sent] == [slow.case_id, quick.case_id]
    finally:
        await database.dispose()


def test_a_resume_point_further_back_than_the_replay_is_answered_with_a_reset():
    latest = 5000
    assert service.stream_start(None, latest) == (latest, False)  # none, or not one of ours: from now
    assert service.stream_start(latest - service.REPLAY_LIMIT, latest) == (latest - service.REPLAY_LIMIT, False)
    assert service.stream_start(0, latest) == (latest, True)
    assert service.stream_start(latest - service.REPLAY_LIMIT - 1, latest) == (latest, True)
    assert service.stream_start(latest + 7, latest) == (latest, False)  # ahead of us (a restored database)
