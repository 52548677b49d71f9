"""The assessment service's records: each initial assessment (one per case and municipality: a
move cancels it in the old municipality and re-opens it in the new one) and the corrections of
completed ones, kept beside them — a completed assessment is never silently edited.

And the policies applied to running assessments (policy.py writes them). Besides the outbox,
inbox and workflow commands every service that signals its workflows has. Otherwise written only
by service.py.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.assessment.records import AssessmentFields
from shared.db import empty_list, utc_column
from shared.targets import TargetFields


class Assessment(AssessmentFields, table=True):
    """One assessment: the record its workflow writes whole (records.py), by its id."""

    __tablename__ = "assessment"

    id: UUID = Field(primary_key=True)
    actions: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))  # who did what, when
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


class PolicyVersion(SQLModel, table=True):
    """A policy applied to the running assessments (`kotopolku policy apply`): its version (shared.policy
    PolicyBook.version), name, the day it takes effect, its numbers, and who applied it, when."""

    __tablename__ = "policy_version"

    version: str = Field(primary_key=True)
    label: str | None = None
    effective_from: date | None = None
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    applied_at: datetime = Field(sa_column=utc_column())
    applied_by: str
    signalled: int = 0  # assessments told to follow it


class AssessmentFigureTarget(TargetFields, table=True):
    """A coordinator's target for an assessment figure of a municipality and period (shared/targets.py)."""

    __tablename__ = "assessment_figure_target"
    __table_args__ = (UniqueConstraint("municipality_code", "figure", "period_from", "period_to", name="uq_assessment_figure_target"),)
