"""A staff command's answer waits for its case's change in the projection: only a change of that
case wakes it (SQLite and PostgreSQL). Before, every committed change of any case woke every
waiting read, and each read the case again: with many staff at once, reads grew with their square."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from sqlalchemy import event

from services.notifications import service
from services.notifications.app import MIGRATIONS
from shared.auth import StaffUser
from shared.contracts import CaseChanged
from shared.db import Database

STAFF = StaffUser(sub="cw", roles=["caseworker"], municipalities=["109"])


def changed(case_id: uuid.UUID, at: datetime) -> CaseChanged:
    return CaseChanged(
        case_id=case_id, client_id=uuid.uuid4(), municipality_code="109", stage="assessment",
        status="awaiting_assessment", changed_at=at, reason="test",
    )


async def test_a_read_waiting_for_a_case_is_woken_by_that_cases_change_only(tmp_path, database_url, monkeypatch):
    monkeypatch.setattr(service, "CASE_RECHECK_SECONDS", 60.0)  # no look again on time during the test
    database = Database("notifications", database_url or f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    await database.migrate(MIGRATIONS)
    ctx = SimpleNamespace(db=database, resources={})
    feed = service.case_feed(ctx)
    reads: list[str] = []

    def count(_connection, _cursor, statement, *_args) -> None:
        if "FROM case_view" in statement:
            reads.append(statement)

    async def apply(change: CaseChanged) -> None:
        async with database.session() as session:
            await service.apply_case_changed(session, change)
            await session.commit()
        await feed.notify(change.case_id)  # as the consumer does after the commit

    try:
        ours, earlier = uuid.uuid4(), datetime.now(timezone.utc) - timedelta(minutes=1)
        await apply(changed(ours, earlier))
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        command_made_at = datetime.now(timezone.utc)
        waiting = asyncio.create_task(service.case_once_changed(ctx, STAFF, ours, command_made_at, wait=30))
        await asyncio.sleep(0.2)
        assert len(reads) == 1 and not waiting.done()  # read once: not changed yet, so it waits

        for _ in range(5):  # other staff's cases change meanwhile
            await apply(changed(uuid.uuid4(), datetime.now(timezone.utc)))
        await asyncio.sleep(0.2)
        assert len([read for read in reads if "JOIN" in read]) == 1 and not waiting.done()

        await apply(changed(ours, command_made_at + timedelta(milliseconds=1)))
        view, _client = await asyncio.wait_for(waiting, 5)
        assert view.changed_at >= command_made_at
        assert len([read for read in reads if "JOIN" in read]) == 2  # woken once, read once more
    finally:
        await database.dispose()


async def test_a_change_of_no_named_case_wakes_every_waiting_read():
    feed, one, other = service.CaseFeed(), uuid.uuid4(), uuid.uuid4()
    with feed.watching(one) as first, feed.watching(other) as second:
        await feed.notify(uuid.uuid4())
        assert not first.is_set() and not second.is_set()
        await feed.notify()
        assert first.is_set() and second.is_set()
    assert feed._watchers == {}  # nothing kept for reads that ended
