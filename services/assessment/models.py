"""The assessment service's records: each initial assessment (one per case and municipality: a
move cancels it in the old municipality and re-opens it in the new one) and the corrections of
completed ones, kept beside them — a completed assessment is never silently edited.

Besides the outbox and inbox every service has. Written only by service.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.assessment.records import AssessmentFields
from shared.db import utc_column
from shared.targets import TargetFields


class Assessment(AssessmentFields, table=True):
    """One assessment: the record its workflow writes whole (records.py), by its id."""

    __tablename__ = "assessment"

    id: UUID = Field(primary_key=True)
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


class AssessmentFigureTarget(TargetFields, table=True):
    """A coordinator's target for an assessment figure of a municipality and period (shared/targets.py)."""

    __tablename__ = "assessment_figure_target"
    __table_args__ = (UniqueConstraint("municipality_code", "figure", "period_from", "period_to", name="uq_assessment_figure_target"),)
