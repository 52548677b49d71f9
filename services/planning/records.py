"""What the planning workflow keeps and shows: its record (saved to the service's tables by
activities) and its state (the `current` query). Pydantic only: the workflow sandbox imports it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.planning.commands import (
        MeasureBody,
    )
    from shared.contracts import (
        CaseStatus,
        Stage,
    )
    from shared.workflow_payloads import Action

# The plan's own statuses (its table's `status`), beside the case's.
AWAITING, ACTIVE, EXPIRED, ENDED = "awaiting", "active", "expired", "ended"


class Measure(MeasureBody):
    measure_id: UUID
    outcome: dict[str, Any] | None = None  # staff's MeasureOutcome, with what providers reported added
    reports: list[dict[str, Any]] = Field(default_factory=list)  # providers' reports on it
    # The referral loop, for the figures: when it was referred to its provider, and when it started.
    referred_on: date | None = None
    started_on: date | None = None


class Review(BaseModel):
    review_id: UUID
    reviewed_on: date
    notes: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)
    next_review_on: date
    by: str | None = None
    # A multi-sectoral plan's review: who took part for the wellbeing services county (its staff list's).
    wellbeing_county_participant: str | None = None
    wellbeing_county_participant_sub: str | None = None


class Extension(BaseModel):
    decided_on: date
    from_ends_on: date
    ends_on: date
    reason: str
    by: str | None = None
    beyond_total: bool = False  # the decision extends this plan beyond the total of all plans


class PlanRecord(BaseModel):
    """One plan as the planning service's table keeps it (written whole, idempotently)."""

    plan_id: UUID
    case_id: UUID
    client_id: UUID
    municipality_code: str
    status: str = AWAITING
    assessment_completed_on: date
    plan_start_due_on: date
    type: str | None = None
    plan_on: date | None = None
    first_plan_on: date | None = None
    ends_on: date | None = None
    referral_due_on: date | None = None
    referral_met_on: date | None = None
    review_due_on: date | None = None
    wellbeing_county_participant: str | None = None
    wellbeing_county_participant_sub: str | None = None  # chosen from the county's staff list (None: typed before)
    family_members: list[UUID] = Field(default_factory=list)
    client_languages: list[str] = Field(default_factory=list)
    service_needs: list[str] = Field(default_factory=list)  # the assessment's (service map codes or measure kinds)
    goals: str | None = None
    measures: list[Measure] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    extensions: list[Extension] = Field(default_factory=list)
    unmatched_reports: list[dict[str, Any]] = Field(default_factory=list)
    ended_on: date | None = None
    end_reason: str | None = None
    closure_reason: str | None = None  # why the path closed the case (employed, studying, …): the figures' "how plans ended"
    # The client's group for the figures (from the path; never the identity code)
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None
    target_group: str | None = None
    client_groups: list[str] | None = None  # as recorded (None: paths begun before them)
    birth_date: date | None = None  # only ever shown as an age band
    lead: str | None = None
    # The client's recorded interpreter need (PlanInput, then the `language_needs` signal): told in
    # referrals and for review meetings, and the figures' `interpreter_language`.
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    # The policy version its deadlines came from (PlanTimings.policy_version, or the last applied); None: before versions.
    policy_version: str | None = None
    actions: list[Action] = Field(default_factory=list)


class PlanState(BaseModel):
    """Everything the workflow knows: the `state` query's answer, and what continue-as-new carries."""

    record: PlanRecord
    case_stage: Stage = Stage.planning
    case_status: CaseStatus = CaseStatus.awaiting_plan
    case_changed_at: datetime | None = None
    sent: list[str] = Field(default_factory=list)  # alarms rung: "<kind>:<due_on>:<what>"
    set_at: dict[str, datetime] = Field(default_factory=dict)  # when each deadline got its current day
    closed: bool = False
    runs: int = 1  # this many runs of the workflow so far (continue-as-new)
