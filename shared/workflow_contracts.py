"""What the client's path and the workflows it waits for agree on: the initial assessment's and the
integration plan's workflow ids, inputs, timings, signals and outcomes. Part of the contracts
(`shared.contracts` exports these names too); imported by workflows, so pydantic only.
Recorded histories hold these models as JSON: add fields with defaults, never rename one."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


# --- the initial assessment: beside the client's path, or (before) its child (services/assessment)

ASSESSMENT_WORKFLOW = "Assessment"


def assessment_workflow_id(case_id: UUID | str) -> str:
    return f"assessment-{case_id}"


class AssessmentTimings(BaseModel):
    """The numbers of shared/policy.toml an assessment runs by, for one municipality."""

    reminder_days: list[int] = Field(default_factory=list)  # staff reminded this many days before the deadline
    escalation_days: int  # after the caseworker is told of a missed deadline, the coordinator this much later
    interview_reminder_days: int  # staff reminded this many days before a scheduled interview
    plan_start_days: int  # the plan starts within this of the completed assessment
    correction_days: int = 90  # a completed assessment takes corrections through its workflow this long


ASSESSMENT_MOVED_SIGNAL = "moved"  # services/assessment/commands.py MOVED


class ClientMoved(BaseModel):
    """The `moved` signal of the plan (`PLAN_MOVED_SIGNAL`): the client moved, the plan goes on in
    the new municipality with the deadlines it had."""

    to_municipality_code: str
    moved_on: date
    from_municipality_code: str | None = None


class AssessmentMoved(ClientMoved):
    """The assessment's `moved` signal: the assessment cancels in the old municipality and re-opens
    in the new one with the deadline it already had."""

    # The new municipality's policy (reminders, escalation); None: keep the numbers it had.
    timings: AssessmentTimings | None = None


class AssessmentInput(BaseModel):
    """What the client's path gives the assessment it starts (`assessment-<case_id>`)."""

    client_id: UUID
    case_id: UUID
    municipality_code: str
    became_client_on: date
    due_on: date  # the assessment must start by this day (policy: assessment_start_months)
    timings: AssessmentTimings
    reason: str = "assessment.opened"
    # For the figures (time to start and completion by group): never the identity code.
    residence_basis: str | None = None
    gender: str | None = None  # the registration's `sex`
    native_language: str | None = None
    # None in assessments started before the figures had these groupings (group `unknown`)
    target_group: str | None = None  # ClientRecorded's
    client_groups: list[str] | None = None  # ClientRecorded's: the figures' client_group
    birth_date: date | None = None  # for the age band (the payload codec encrypts it with the rest)
    lead: str | None = None  # who led when the path began: municipality | employment_authority
    # The policy version its deadline came from (shared.policy PolicyBook.version); None: from before versions.
    policy_version: str | None = None
    # Its own record is written by a local activity (shared/case_workflows.py save_record); False
    # in assessments started before, which go on writing it by a normal activity (their recorded
    # histories replay on their input, so no patch marker is needed).
    record_locally: bool = False
    # The client's path started beside it by intake (`ClientPathInput.assessment_beside`), told its
    # outcome by signal; None: the assessment is its path's child workflow and tells its parent.
    path_workflow_id: str | None = None


class AssessmentOutcome(BaseModel):
    """How an assessment ended, as the path needs it."""

    plan_needed: bool | None = None
    plan_type: str | None = None
    completed_on: date | None = None
    service_needs: list[str] = Field(default_factory=list)  # codes of the service map (or measure kinds)
    cancelled: bool = False
    cancel_reason: str | None = None  # e.g. case_closed
    # Where the client lived when it was completed (None in outcomes recorded before it was told):
    # the plan starts there, even when the client moved during the assessment.
    municipality_code: str | None = None
    # The interpreter's language booked for the interview: the client needs one (None: not known).
    interpreter_language: str | None = None
    # Multi-sectoral: the county's participant chosen from its staff list; the plan inherits them.
    wellbeing_county_participant: str | None = None
    wellbeing_county_participant_sub: str | None = None


# --- the integration plan: a child workflow of the client's path (services/planning) -------------

PLAN_WORKFLOW = "IntegrationPlan"
PLAN_CLOSE_SIGNAL = "close"  # the path closed the case: the plan ends (services/planning/commands.py)
PLAN_MOVED_SIGNAL = "moved"  # the client moved: the plan goes on in the new municipality (ClientMoved)


def plan_workflow_id(case_id: UUID | str) -> str:
    return f"plan-{case_id}"


class PlanTimings(BaseModel):
    """The numbers of shared/policy.toml a plan runs by, for one municipality."""

    plan_start_days: int  # the plan is drawn up within this of the completed assessment
    referral_months: int  # services referred within this of the plan
    review_months: int  # reviewed at least this often
    first_plan_max_months: int  # the first plan lasts at most this
    plans_total_max_months: int  # all plans together at most this, but for an extension decided beyond it
    # An extension decision beyond the total (with its reason) may reach this much further; 0 in
    # plans started before such decisions existed (their extensions stay within the total).
    extension_beyond_total_max_months: int = 0
    reminder_days: list[int] = Field(default_factory=list)  # staff reminded this many days before each deadline
    escalation_days: int  # after the caseworker is told of a passed deadline, the coordinator this much later
    civic_orientation_min_hours: int
    # A referral unanswered by its provider this long reminds the caseworker; None in plans started
    # before referrals were followed.
    referral_answer_days: int | None = None
    # The policy version these numbers came from (shared.policy PolicyBook.version); None: from before versions.
    policy_version: str | None = None


class PlanInput(BaseModel):
    """What the client's path gives the plan it starts (`plan-<case_id>`) once the assessment
    found that a plan is needed."""

    client_id: UUID
    case_id: UUID
    municipality_code: str
    assessment_completed_on: date
    plan_start_due_on: date
    timings: PlanTimings
    plan_type: str | None = None  # what the assessment proposed
    wellbeing_county_participant: str | None = None
    wellbeing_county_participant_sub: str | None = None  # chosen from the county's staff list (the assessment's)
    client_languages: list[str] = Field(default_factory=list)  # native and preferred: civic orientation's language
    service_needs: list[str] = Field(default_factory=list)  # the assessment's: the service map suggests measures for them
    # For the plan figures (by group): never the identity code. None in plans started before.
    residence_basis: str | None = None
    gender: str | None = None  # the registration's `sex`
    native_language: str | None = None
    target_group: str | None = None
    client_groups: list[str] | None = None  # the figures' client_group (young_people worked out from birth_date)
    birth_date: date | None = None  # for the age band
    lead: str | None = None
    # The client's recorded interpreter need (intake's language needs; the interview's booked
    # interpreter in plans started before): referrals and review meetings tell it. Staff changing it
    # later reach the plan by its `language_needs` signal (LanguageNeedsChanged).
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    # continue-as-new: the whole state carried over (services/planning/workflows.py PlanState)
    carried: dict[str, Any] | None = None
    # continue-as-new also after this many history events (Temporal's own suggestion comes first)
    history_limit: int = 20_000
    # Its own record is written by a local activity (shared/case_workflows.py save_record); False
    # in plans started before, which go on writing it by a normal activity (their recorded
    # histories replay on their input, so no patch marker is needed).
    record_locally: bool = False


LANGUAGE_NEEDS_SIGNAL = "language_needs"  # to the path and the plan: staff changed the client's language needs


class LanguageNeedsChanged(BaseModel):
    """The client's interpreter need as staff recorded it (None: none needed)."""

    interpreter_language: str | None = None
    interpreter_dialect: str | None = None


class PlanOutcome(BaseModel):
    """How a plan ended, as the path needs it."""

    ended_on: date | None = None
    reason: str  # time_limit | closed (the path closed the case)
