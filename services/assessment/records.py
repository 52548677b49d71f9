"""What the assessment workflow keeps and shows: its record (saved to the service's tables by
activities) and its state (the `state` query). Pydantic only: the workflow sandbox imports it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.assessment.commands import (
        ScheduleAssessment,
    )
    from shared.contracts import (
        CaseStatus,
        Stage,
    )
    from shared.workflow_payloads import Action

# The assessment's own statuses (its table's `status`), beside the case's.
AWAITING, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED = "awaiting", "scheduled", "in_progress", "completed", "cancelled"


class AssessmentRecord(BaseModel):
    """One assessment as the assessment service's table keeps it (written whole, idempotently)."""

    assessment_id: UUID
    case_id: UUID
    client_id: UUID
    municipality_code: str
    status: str
    became_client_on: date
    due_on: date
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None
    schedule: dict[str, Any] | None = None
    started_on: date | None = None
    completed_on: date | None = None
    plan_needed: bool | None = None
    plan_type: str | None = None
    wellbeing_county_participant: str | None = None
    no_plan_reason: str | None = None
    parts: dict[str, Any] = Field(default_factory=dict)
    overdue: bool = False
    escalated: bool = False
    cancel_reason: str | None = None
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


class AssessmentState(BaseModel):
    """The `state` query's answer."""

    assessment_id: UUID
    case_id: UUID
    municipality_code: str
    status: str
    case_stage: Stage
    case_status: CaseStatus
    due_on: date
    schedule: ScheduleAssessment | None = None
    started_on: date | None = None
    completed_on: date | None = None
    plan_needed: bool | None = None
    plan_type: str | None = None
    overdue: bool = False
    escalated: bool = False
    reminders_sent: list[str] = Field(default_factory=list)
    corrections: int = 0
    parts: dict[str, Any] = Field(default_factory=dict)
