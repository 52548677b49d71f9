"""`kotopolku_database_statements_total` counts what each service sends its database: the figure
`make benchmark` divides by the clients of a burst (a count the machine's speed does not change)."""

from __future__ import annotations

from prometheus_client import REGISTRY
from sqlalchemy import text


def counted(service: str) -> float:
    return REGISTRY.get_sample_value("kotopolku_database_statements_total", {"service": service}) or 0.0


async def test_each_statement_sent_is_counted_for_its_service(database):
    before = counted(database.service)
    async with database.session() as session:
        for _ in range(3):
            await session.execute(text("SELECT 1"))
    assert counted(database.service) - before == 3
