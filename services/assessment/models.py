"""The assessment service's records: each initial assessment (one per case and municipality: a
move cancels it in the old municipality and re-opens it in the new one) and the corrections of
completed ones, kept beside them — a completed assessment is never silently edited.

Besides the outbox and inbox every service has. Written only by service.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.db import utc_column


class Assessment(SQLModel, table=True):
    __tablename__ = "assessment"

    id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    client_id: UUID
    municipality_code: str = Field(index=True)
    status: str  # awaiting | scheduled | in_progress | completed | cancelled
    became_client_on: date
    due_on: date
    # For the figures (time to start and to completion by group); never the identity code.
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None
    schedule: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    started_on: date | None = None
    completed_on: date | None = None
    plan_needed: bool | None = None
    plan_type: str | None = None
    wellbeing_county_participant: str | None = None
    no_plan_reason: str | None = None
    parts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # the interview, by part
    overdue: bool = False
    escalated: bool = False
    cancel_reason: str | None = None  # moved | case_closed | …
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # who did what, when
    updated_at: datetime = Field(sa_column=utc_column())


class AssessmentCorrection(SQLModel, table=True):
    __tablename__ = "assessment_correction"

    id: UUID = Field(primary_key=True)
    assessment_id: UUID = Field(index=True)
    case_id: UUID = Field(index=True)
    corrected_by_sub: str
    corrected_by_name: str | None = None
    corrected_at: datetime = Field(sa_column=utc_column())
    reason: str
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # part -> {"from": …, "to": …}
