"""The Koto-AJ hand-over (CONTRACT §4 `kotopolku export koto-aj`), part of the composition root:
it asks each service for its own rows over its own database (intake: clients and closures; the
assessment service: assessments; planning: plans, measures, reviews and extensions), writes the
data set (shared/koto_aj.py) and lets each service note what it handed over and who read it.

Incremental and idempotent: each service's ledger remembers the version of every record handed
over, so an export writes only what is new or changed since the last one; the same export again
writes nothing twice. The data set's files go into a directory of their own: a directory already
holding an export is never overwritten."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.handover.service import assessment_rows
from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.handover.service import client_rows, closure_rows, municipal_clients
from services.planning.app import MIGRATIONS as PLANNING_MIGRATIONS
from services.planning.handover.service import plan_rows
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser
from shared.clock import FINNISH_TIME, now
from shared.db import Database
from shared.koto_aj import MANIFEST_FILE, Row, mark_handed_over, not_handed_over, write_data_set
from shared.settings import Settings

MIGRATIONS = {"intake": INTAKE_MIGRATIONS, "assessment": ASSESSMENT_MIGRATIONS, "planning": PLANNING_MIGRATIONS}
ACCESS_ACTION = "koto_aj.export"
# The record each kind of row is about, as the access log names it.
RECORD_ID = {
    "client": "client_id", "assessment": "assessment_id", "plan": "plan_id", "measure": "measure_id",
    "review": "review_id", "extension": "plan_id", "closure": "case_id",
}


class ExportRefused(Exception):
    """The export can't be written as asked; the message says why."""


@dataclass
class Export:
    export_id: str | None  # None: nothing new since the last export, nothing written
    counts: dict[str, int]


def period_bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """The period's days in Finnish time, `to` included."""
    if period_to < period_from:
        raise ExportRefused(f"--to {period_to} is before --from {period_from}")
    return (
        datetime.combine(period_from, time(0), tzinfo=FINNISH_TIME),
        datetime.combine(period_to + timedelta(days=1), time(0), tzinfo=FINNISH_TIME),
    )


async def export_koto_aj(
    settings: Settings, *, period_from: date, period_to: date, out: Path, municipalities: list[str], operator: str
) -> Export:
    start, end = period_bounds(period_from, period_to)
    databases = {name: Database(name, settings.service_database_url(name)) for name in MIGRATIONS}
    try:
        for name, database in databases.items():
            await database.migrate(MIGRATIONS[name])
        return await _export(databases, settings, start=start, end=end, out=out, municipalities=municipalities, operator=operator,
                             period=(period_from, period_to))
    finally:
        for database in databases.values():
            await database.dispose()


async def _export(databases, settings, *, start, end, out, municipalities, operator, period) -> Export:
    async with databases["intake"].session() as session:
        clients = await municipal_clients(session, municipalities or None)
    parts: dict[str, list[Row]] = {}
    async with databases["assessment"].session() as session:
        parts["assessment"] = await not_handed_over(session, await assessment_rows(session, start=start, end=end, clients=clients))
    async with databases["planning"].session() as session:
        parts["planning"] = await not_handed_over(session, await plan_rows(session, start=start, end=end, clients=clients))
    async with databases["intake"].session() as session:
        closures = await closure_rows(session, start=start, end=end, clients=clients)
        about = {row.client_id for row in [*parts["assessment"], *parts["planning"], *closures]}
        identities = await client_rows(session, about, data_key=settings.data_key_bytes)
        parts["intake"] = await not_handed_over(session, identities + closures)

    rows = [row for part in parts.values() for row in part]
    if (out / MANIFEST_FILE).exists():
        if not rows:
            return Export(None, {})  # the same export again: nothing new, nothing written
        earlier = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8")).get("export_id")
        raise ExportRefused(f"{out} already holds export {earlier}; write this one into a new directory")
    exported_at = now()
    export_id = f"koto-aj-{exported_at:%Y%m%dT%H%M%S%fZ}"
    counts = write_data_set(out, rows, manifest={
        "export_id": export_id, "exported_at": exported_at.isoformat(), "period_from": period[0].isoformat(),
        "period_to": period[1].isoformat(), "municipalities": municipalities or "all",
    })
    # Each service notes what it handed over, and that it was read into the export (access log).
    reader = StaffUser(sub=f"operator:{operator}", name="kotopolku export koto-aj", roles=["admin"], municipalities=[])
    for name, part in parts.items():
        async with databases[name].session() as session:
            await mark_handed_over(session, part, export_id=export_id, at=exported_at)
            log_reads(session, service=name, user=reader, action=ACCESS_ACTION, records=[record_read(row) for row in part],
                      query=f"export_id={export_id}")
            await session.commit()
    return Export(export_id, counts)


def record_read(row: Row) -> RecordRead:
    return RecordRead(
        kind=f"koto_aj_{row.kind}", record_id=UUID(str(row.data[RECORD_ID[row.kind]])), municipality_code=row.municipality_code,
        client_id=row.client_id, case_id=row.case_id,
    )
