"""Whole-row writes (shared/rows.py put_row: a workflow's own record, a service of the map) are
one statement each, with no read before them, on SQLite and PostgreSQL: the row is added, or the
one of its key overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest_asyncio

from services.planning.app import MIGRATIONS
from services.planning.servicemap import service as servicemap
from services.planning.servicemap.models import ServiceItem, ServiceMapEntry
from shared.db import Database
from support import statements_sent

EXAMPLE = Path(servicemap.__file__).with_name("example.json")


@pytest_asyncio.fixture
async def planning_db(service_database):
    return await service_database("planning", MIGRATIONS)


async def put(database: Database, item: ServiceItem) -> list[str]:
    with statements_sent(database) as sent:
        async with database.session() as session:
            await servicemap.put_service(session, item)
            await session.commit()
    return sent


async def test_a_row_is_added_or_overwritten_in_one_statement(planning_db):
    item = ServiceItem.model_validate(json.loads(EXAMPLE.read_text(encoding="utf-8"))[0])
    [added] = await put(planning_db, item)
    renamed = item.model_copy(update={"provider": "Toinen opisto", "languages": ["fi", "sv"]})
    [overwritten] = await put(planning_db, renamed)
    assert added.startswith("INSERT INTO ") and overwritten == added  # one statement, no read before it
    async with planning_db.session() as session:
        entry = await session.get(ServiceMapEntry, item.service_code)
    assert (entry.provider, entry.languages, entry.region) == ("Toinen opisto", ["fi", "sv"], item.region)
