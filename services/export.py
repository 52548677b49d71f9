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
import re
import shutil
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.handover.service import assessment_rows
from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from services.intake.handover.service import client_rows, closure_rows, municipal_clients
from services.planning.app import MIGRATIONS as PLANNING_MIGRATIONS
from services.planning.handover.service import plan_rows
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser, require_role
from shared.clock import FINNISH_TIME, now
from shared.db import Database
from shared.koto_aj import KINDS, MANIFEST_FILE, SCHEMA_FILE, Row, mark_handed_over, not_handed_over, write_data_set
from shared.refusals import NotFound, Refused
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
    """The command line's export: each service's database opened (and brought up to date) for it."""
    period_bounds(period_from, period_to)
    databases = {name: Database(name, settings.service_database_url(name)) for name in MIGRATIONS}
    reader = StaffUser(sub=f"operator:{operator}", name="kotopolku export koto-aj", roles=["admin"], municipalities=[])
    try:
        for name, database in databases.items():
            await database.migrate(MIGRATIONS[name])
        return await write_export(
            databases, settings, period_from=period_from, period_to=period_to, out=out, municipalities=municipalities, reader=reader
        )
    finally:
        for database in databases.values():
            await database.dispose()


async def write_export(
    databases: dict[str, Database], settings: Settings, *, period_from: date, period_to: date, out: Path,
    municipalities: list[str], reader: StaffUser,
) -> Export:
    """Ask each service for its rows not handed over yet, write them into `out`, let each service
    note them as handed over and read by `reader`."""
    start, end = period_bounds(period_from, period_to)
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
        "export_id": export_id, "exported_at": exported_at.isoformat(), "period_from": period_from.isoformat(),
        "period_to": period_to.isoformat(), "municipalities": municipalities or "all", "exported_by": reader.sub,
    })
    # Each service notes what it handed over, and that it was read into the export (access log).
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


# --- the admin API (served where the services run together: `kotopolku run`) --------------------

EXPORT_FILES = {f"{kind}.{ending}" for kind in KINDS for ending in ("jsonl", "csv")} | {SCHEMA_FILE, MANIFEST_FILE}
EXPORT_ID = re.compile(r"^koto-aj-\d{8}T\d{12}Z$")
router = APIRouter(prefix="/api/v1/admin/koto-aj/exports", tags=["Koto-AJ hand-over (admin)"])
Admin = Annotated[StaffUser, require_role("admin")]


class ExportAsked(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    period_from: date = Field(alias="from", description="first day, Finnish time")
    period_to: date = Field(alias="to", description="last day, included")
    municipalities: list[str] | None = Field(None, description="some of the admin's municipalities (default: all of them)")


class ExportDone(BaseModel):
    export_id: str | None = Field(description="null: nothing new or changed since the last export, nothing written")
    counts: dict[str, int]
    files: list[str] = Field(description="each file's path under this route")


def exports_dir(settings: Settings) -> Path:
    return settings.var_dir / "koto-aj"


@router.post("", response_model=ExportDone, summary="Export what is new or changed for Koto-AJ (docs/koto-aj.md)")
async def create_export(body: ExportAsked, request: Request, user: Admin) -> ExportDone:
    """The same data set as `kotopolku export koto-aj`, of the admin's municipalities only, kept
    in Kotopolku's data directory for download."""
    municipalities = body.municipalities or list(user.municipalities)
    if not set(municipalities) <= set(user.municipalities):
        raise NotFound("municipality_not_found")
    contexts = request.app.state.contexts
    databases = {name: contexts[name].db for name in MIGRATIONS}
    settings = request.app.state.settings
    staging = exports_dir(settings) / f"new-{uuid4().hex}"
    try:
        done = await write_export(
            databases, settings, period_from=body.period_from, period_to=body.period_to, out=staging,
            municipalities=municipalities, reader=user,
        )
    except ExportRefused as refused:
        raise Refused("export_refused", status=422, reason=str(refused)) from None
    if done.export_id is None or not any(done.counts.values()):
        shutil.rmtree(staging, ignore_errors=True)
        return ExportDone(export_id=None, counts=done.counts, files=[])
    staging.rename(exports_dir(settings) / done.export_id)
    return ExportDone(
        export_id=done.export_id, counts=done.counts, files=[f"{router.prefix}/{done.export_id}/{name}" for name in sorted(EXPORT_FILES)]
    )


@router.get("/{export_id}/{name}", summary="One file of an export (of the admin's municipalities)")
async def export_file(export_id: str, name: str, request: Request, user: Admin) -> FileResponse:
    folder = exports_dir(request.app.state.settings) / export_id
    if not EXPORT_ID.match(export_id) or name not in EXPORT_FILES or not (folder / MANIFEST_FILE).exists():
        raise NotFound("export_not_found")
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    if manifest.get("municipalities") == "all" or not set(manifest["municipalities"]) <= set(user.municipalities):
        raise NotFound("export_not_found")  # another municipality's (or the operators' whole) export
    media = "application/json" if name.endswith("json") else "application/x-ndjson" if name.endswith("jsonl") else "text/csv"
    return FileResponse(folder / name, media_type=media)
