"""What the assessment workflow keeps and shows: its record (saved to the service's table by
activities) and its state (the `state` query). Plain pydantic and SQLModel models, no tables: the
workflow sandbox imports this module (passed through). The table (models.py) inherits the
record's fields, the SQLModel way, so a field and its column are declared once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.assessment.commands import (
        ScheduleAssessment,
    )
    from shared.contracts import (
        CaseStatus,
        Stage,
    )
    from shared.db import empty_dict
    from shared.workflow_payloads import Action

# The assessment's own statuses (its table's `status`), beside the case's.
AWAITING, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED = "awaiting", "scheduled", "in_progress", "completed", "cancelled"


class AssessmentProgress(SQLModel):
    """Where an assessment stands: what its record, its table and the `state` query all show."""

    case_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    status: str  # awaiting | scheduled | in_progress | completed | cancelled
    due_on: date
    started_on: date | None = None
    completed_on: date | None = None
    plan_needed: bool | None = None
    plan_type: str | None = None
    parts: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON, nullable=False)  # the interview, by part
    overdue: bool = False
    escalated: bool = False
    # The policy version the start deadline came from (a change applied to it names the new one).
    policy_version: str | None = None


class AssessmentFields(AssessmentProgress):
    """An assessment's fields, and the columns of its table (`Assessment`, which adds its id)."""

    client_id: UUID
    became_client_on: date
    # For the figures (time to start and to completion by group); never the identity code.
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None
    target_group: str | None = None
    client_groups: list[str] | None = Field(default=None, sa_type=JSON)  # as recorded (None: paths begun before them)
    birth_date: date | None = None  # only ever shown as an age band
    lead: str | None = None
    schedule: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    wellbeing_county_participant: str | None = None
    wellbeing_county_participant_sub: str | None = None  # chosen from the county's staff list (None: typed before)
    no_plan_reason: str | None = None
    cancel_reason: str | None = None  # moved | case_closed | …


class AssessmentRecord(AssessmentFields):
    """One assessment as its workflow keeps it (written whole, idempotently, to the table's row `assessment_id`)."""

    assessment_id: UUID
    actions: list[Action] = Field(default_factory=list)


class CorrectionRecord(BaseModel):
    """A correction of a completed assessment, kept beside it: who, when, why, what changed."""

    correction_id: UUID
    assessment_id: UUID
    case_id: UUID
    corrected_by_sub: str
    corrected_by_name: str | None = None
    corrected_at: datetime
    reason: str
    changes: dict[str, dict[str, Any]]  # part -> {"from": ..., "to": ...}
    assessment: AssessmentRecord  # the assessment as corrected


class AssessmentState(AssessmentProgress):
    """The `state` query's answer: the record's progress, the case's stage and status, and the
    workflow's own counts."""

    assessment_id: UUID
    case_stage: Stage
    case_status: CaseStatus
    schedule: ScheduleAssessment | None = None
    reminders_sent: list[str] = Field(default_factory=list)
    corrections: int = 0
