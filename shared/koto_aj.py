"""The Koto-AJ hand-over data set (CONTRACT §4 `kotopolku export koto-aj`; docs/koto-aj.md maps
every field to what Koto-AJ records).

What the services agree on with the command line: the rows each service gives of its own records
(intake: clients and closures; assessment: assessments; planning: plans, measures, reviews and
extensions), the one JSON Schema they follow, and the ledger each service keeps in its own
database of what it has handed over — so an export writes only what changed since the last one,
and running it again writes nothing twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field as TableField, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import utc_column

DATASET = "fi.kotopolku.koto-aj"
# The data set's version: a new field is a minor step, a changed or removed one a major step.
# 1.1: a review names the wellbeing services county's participant (every review a new version once).
DATASET_VERSION = "1.1"
SCHEMA_FILE = "koto-aj.schema.json"
MANIFEST_FILE = "manifest.json"

Kind = Literal["client", "assessment", "plan", "measure", "review", "extension", "closure"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClientData(Data):
    """Who the records are about (intake's client; the identity code opened only here)."""

    client_id: UUID
    municipality_code: str
    personal_identity_code: str | None
    given_names: str
    family_name: str
    birth_date: date
    sex: str | None
    nationality: str
    native_language: str
    preferred_languages: list[str]
    residence_basis: str
    first_permit_or_registration_on: date | None
    registered_on: date
    target_group: str | None
    target_group_decision: str | None
    household_id: str | None


class AssessmentData(Data):
    assessment_id: UUID
    case_id: UUID
    client_id: UUID
    municipality_code: str
    status: str
    became_client_on: date
    started_on: date | None
    completed_on: date | None
    multi_sectoral: bool
    wellbeing_county_participant: str | None
    plan_needed: bool | None
    plan_type: str | None
    no_plan_reason: str | None
    interview_language: str | None
    results: dict[str, Any]
    corrections: int
    cancel_reason: str | None


class PlanData(Data):
    plan_id: UUID
    case_id: UUID
    client_id: UUID
    municipality_code: str
    type: str | None
    status: str
    plan_on: date | None
    first_plan_on: date | None
    ends_on: date | None
    referral_met_on: date | None
    wellbeing_county_participant: str | None
    family_members: list[UUID]
    goals: str | None
    ended_on: date | None
    end_reason: str | None


class MeasureData(Data):
    measure_id: UUID
    plan_id: UUID
    client_id: UUID
    municipality_code: str
    kind: str
    description: str | None
    service_code: str | None
    provider: str | None
    language: str | None
    starts_on: date | None
    ends_on: date | None
    hours: float | None
    status: str
    outcome: dict[str, Any] | None


class ReviewData(Data):
    review_id: UUID
    plan_id: UUID
    client_id: UUID
    municipality_code: str
    reviewed_on: date
    notes: str | None
    next_review_on: date
    # A multi-sectoral plan's review: who took part for the wellbeing services county (from its
    # staff list; None for other plans' reviews and those recorded before it was kept). Since 1.1.
    wellbeing_county_participant: str | None


class ExtensionData(Data):
    plan_id: UUID
    client_id: UUID
    municipality_code: str
    decided_on: date
    from_ends_on: date
    ends_on: date
    reason: str
    beyond_total: bool  # the decision extends this plan beyond the total of all plans


class ClosureData(Data):
    case_id: UUID
    client_id: UUID
    municipality_code: str
    closed_on: date
    reason: str  # the case's closed status: employed, studying, moved_away, time_limit, declined, completed, plan_not_needed


DATA_MODELS: dict[str, type[Data]] = {
    "client": ClientData,
    "assessment": AssessmentData,
    "plan": PlanData,
    "measure": MeasureData,
    "review": ReviewData,
    "extension": ExtensionData,
    "closure": ClosureData,
}


class Row(BaseModel):
    """One line of the data set: a record as it is now, named by `record_key` (stable across
    versions) and `record_version` (the hash of its content: a changed record is a new version)."""

    model_config = ConfigDict(extra="forbid")

    dataset_version: str = DATASET_VERSION
    kind: Kind
    record_key: str
    record_version: str = ""
    client_id: UUID
    case_id: UUID | None = None
    municipality_code: str
    data: dict[str, Any]

    @classmethod
    def of(cls, kind: str, key: Any, data: Data, *, case_id: UUID | None = None) -> "Row":
        content = data.model_dump(mode="json")
        version = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
        return cls(
            kind=kind, record_key=f"{kind}:{key}", record_version=version, client_id=content["client_id"], case_id=case_id,
            municipality_code=content["municipality_code"], data=content,
        )


# --- the ledger: what a service has handed over (a table in each service's own database) ------


class KotoAjHandover(SQLModel, table=True):
    """The version of each record last handed over, and in which export."""

    __tablename__ = "koto_aj_handover"

    record_key: str = TableField(primary_key=True)
    record_version: str
    export_id: str
    exported_at: datetime = TableField(sa_column=utc_column())


async def not_handed_over(session: AsyncSession, rows: list[Row]) -> list[Row]:
    """The rows whose version has not been handed over yet (new, or changed since)."""
    if not rows:
        return []
    keys = [row.record_key for row in rows]
    known: dict[str, str] = {}
    for start in range(0, len(keys), 500):
        found = await session.exec(select(KotoAjHandover).where(KotoAjHandover.record_key.in_(keys[start:start + 500])))
        known |= {entry.record_key: entry.record_version for entry in found}
    return [row for row in rows if known.get(row.record_key) != row.record_version]


async def mark_handed_over(session: AsyncSession, rows: list[Row], *, export_id: str, at: datetime) -> None:
    for row in rows:
        entry = await session.get(KotoAjHandover, row.record_key)
        if entry is None:
            entry = KotoAjHandover(record_key=row.record_key, record_version=row.record_version, export_id=export_id, exported_at=at)
        entry.record_version, entry.export_id, entry.exported_at = row.record_version, export_id, at
        session.add(entry)


# --- the files -----------------------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The one JSON Schema every line of every file follows (a row whose `data` fits its kind)."""
    variants = []
    definitions: dict[str, Any] = {}
    row_schema = Row.model_json_schema()
    for kind, model in DATA_MODELS.items():
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        definitions |= schema.pop("$defs", {})
        definitions[model.__name__] = schema
        variants.append({
            "type": "object",
            "properties": {"kind": {"const": kind}, "data": {"$ref": f"#/$defs/{model.__name__}"}},
        })
    properties = dict(row_schema["properties"])
    properties["dataset_version"] = {"const": DATASET_VERSION}
    properties["record_version"] = {"type": "string", "pattern": "^[0-9a-f]{16}$"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:{DATASET}:{DATASET_VERSION}",
        "title": "Kotopolku's hand-over to Koto-AJ, one record a line (docs/koto-aj.md)",
        "type": "object",
        "properties": properties,
        "required": row_schema["required"],
        "additionalProperties": False,
        "oneOf": variants,
        "$defs": definitions,
    }


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def write_data_set(out: Path, rows: list[Row], *, manifest: dict[str, Any]) -> dict[str, int]:
    """`<kind>.jsonl` and `<kind>.csv` for every kind (empty when none changed), the schema and
    the manifest; the count of each kind."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind in KINDS:
        of_kind = sorted((row for row in rows if row.kind == kind), key=lambda row: row.record_key)
        counts[kind] = len(of_kind)
        with (out / f"{kind}.jsonl").open("w", encoding="utf-8") as lines:
            for row in of_kind:
                lines.write(row.model_dump_json() + "\n")
        fields = list(DATA_MODELS[kind].model_fields)
        with (out / f"{kind}.csv").open("w", encoding="utf-8", newline="") as table:
            writer = csv.writer(table)
            writer.writerow(["record_key", "record_version", *fields])
            for row in of_kind:
                writer.writerow([row.record_key, row.record_version, *(_csv_value(row.data.get(name)) for name in fields)])
    (out / SCHEMA_FILE).write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / MANIFEST_FILE).write_text(
        json.dumps({"dataset": DATASET, "dataset_version": DATASET_VERSION, **manifest, "counts": counts}, indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    return counts
