"""What staff tell an integration plan, and what it answers: the payloads of the plan workflow's
updates, shared by the HTTP routes (which validate bodies with them) and the workflow (which
receives them). Pydantic only: the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_serializer

from shared.contracts import PlanTimings
from shared.workflow_payloads import Actor, CommandResult as CaseCommandResult, Strict  # CaseCommandResult: every case command's answer

# Update names of the `IntegrationPlan` workflow (`plan-<case_id>`, task queue kotopolku-planning).
MAKE = "make"  # CONTRACT §5 POST /plan
REVIEW = "review"  # CONTRACT §5 POST /plan/reviews
ADD_MEASURE = "add_measure"
UPDATE_MEASURE = "update_measure"
EXTEND = "extend"
# Signals: facts reported to the plan.
SERVICE_REPORTED = "service_reported"  # a provider's report (shared.contracts.ServiceReport)
CLOSE = "close"  # the client's path closed the case: the plan ends (shared.contracts.PLAN_CLOSE_SIGNAL)
MOVED = "moved"  # the client moved: the plan goes on in the new municipality (shared.contracts.ClientMoved)
POLICY_CHANGED = "policy_changed"  # a new policy was applied: the deadlines and timers follow its numbers
LANGUAGE_NEEDS = "language_needs"  # staff changed the client's interpreter need (shared.contracts.LanguageNeedsChanged)
# Query
STATE = "state"

PlanType = Literal["individual", "multi_sectoral", "family"]
MeasureKind = Literal[
    "language_studies",
    "integration_training",
    "literacy_training",
    "civic_orientation",
    "self_motivated_studies",
    "work_try_out",
    "job_search_support",
    "early_childhood_education",
    "school",
    "health_and_social_services",
    # What the projects name as measures of their own (Hyvä alku, Kotopaikka …):
    "mentoring",
    "work_pair",
    "hygiene_passport",
    "vocational_preparatory_studies",
    "working_life_rules_training",
    "other",
]
MeasureStatus = Literal["planned", "referred", "started", "completed", "interrupted", "cancelled"]
# A measure in one of these has been referred: the plan_referral deadline is met.
REFERRED = ("referred", "started", "completed")
LANGUAGE = r"^[a-z]{2,3}$"
# Shown on the client's page and told to the provider in the referral.
PLACE = 'where the measure is given: the address, or "remote"'


class MeasureOutcome(Strict):
    """What a measure reached, as staff record it: small and typed, since each change goes into
    the plan's workflow history (a provider's report may add its own fields in the record)."""

    language: str | None = Field(default=None, pattern=LANGUAGE, description="ISO 639-1 (or 639-3)")
    cefr: str | None = Field(default=None, pattern=r"^(A1|A2|B1|B2|C1)(\.[1-3])?$|^C2$", description="the level reached, e.g. B1.1")
    notes: str | None = Field(default=None, max_length=1000)


class MeasureBody(Strict):
    """A measure of the plan: what, who provides it, in which language, when, how much."""

    kind: MeasureKind
    description: str | None = Field(default=None, max_length=1000)
    service_code: str | None = Field(default=None, max_length=100, description="the provider's service code (the service map's): providers' reports find the measure by it")
    provider: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, min_length=1, max_length=300, description=PLACE)
    language: str | None = Field(default=None, pattern=LANGUAGE, description="ISO 639-1 (or 639-3)")
    starts_on: date | None = None
    ends_on: date | None = None
    hours: float | None = Field(default=None, ge=0, le=10_000)
    status: MeasureStatus = "planned"
    outcome: MeasureOutcome | None = Field(default=None, description='e.g. {"language": "fi", "cefr": "B1.1"}')

    @field_serializer("outcome")
    def _outcome(self, outcome: MeasureOutcome | dict[str, Any] | None) -> dict[str, Any] | None:
        # Kept as the fields given (a measure's record keeps providers' reports beside them).
        return outcome.model_dump(exclude_none=True) if isinstance(outcome, MeasureOutcome) else outcome


class MeasureFields(Strict):
    """A change to a measure: only the fields given change (null leaves a field as it was)."""

    description: str | None = Field(default=None, max_length=1000)
    service_code: str | None = Field(default=None, max_length=100)
    provider: str | None = Field(default=None, max_length=200)
    place: str | None = Field(default=None, min_length=1, max_length=300, description=PLACE)
    language: str | None = Field(default=None, pattern=LANGUAGE)
    starts_on: date | None = None
    ends_on: date | None = None
    hours: float | None = Field(default=None, ge=0, le=10_000)
    status: MeasureStatus | None = None
    outcome: MeasureOutcome | None = None


class MeasureChange(MeasureFields):
    measure_id: UUID


class MakePlan(Strict):
    """CONTRACT §5: at least `type`. A plan may start with no measures."""

    type: PlanType
    plan_on: date | None = Field(default=None, description="the plan's date (default today, Finnish time)")
    ends_on: date | None = Field(default=None, description="default: the longest first plan the policy allows")
    wellbeing_county_participant_sub: str | None = Field(
        default=None, max_length=200,
        description="multi_sectoral: who takes part for the wellbeing services county, chosen from its staff list "
        "(`GET /api/v1/cases/{case_id}/plan/county-staff`) by `sub`; default: the assessment's participant")
    wellbeing_county_participant: str | None = Field(
        default=None, max_length=200, description="the participant's name: filled in from the county's staff list (a typed one is refused)")
    family_members: list[UUID] = Field(
        default_factory=list, max_length=20,
        description="family: the cases of the household members whose plans are linked: cases of the client's household "
        "(the registration's `household_id`) in the user's municipalities only")
    goals: str | None = Field(default=None, max_length=4000)
    measures: list[MeasureBody] = Field(default_factory=list, max_length=50)


class ReviewPlan(Strict):
    """CONTRACT §5: `{}` or `{"reviewed_on": …}`; notes, changed measures and the next review."""

    reviewed_on: date | None = None
    wellbeing_county_participant_sub: str | None = Field(
        default=None, max_length=200,
        description="multi_sectoral: the county's participant in this review, from its staff list by `sub` (default: the plan's)")
    wellbeing_county_participant: str | None = Field(
        default=None, max_length=200, description="the participant's name: filled in from the county's staff list (a typed one is refused)")
    notes: str | None = Field(default=None, max_length=4000)
    measure_changes: list[MeasureChange] = Field(default_factory=list, max_length=50)
    next_review_on: date | None = Field(default=None, description="default: the longest the policy allows")


class ExtendPlan(Strict):
    """A decision to extend the plan, recorded with its reason; within the policy's total, or
    beyond it only when the decision says so (`beyond_total`), up to the policy's own cap."""

    ends_on: date
    reason: str = Field(min_length=1, max_length=2000)
    decided_on: date | None = None
    beyond_total: bool = Field(False, description="this plan goes on beyond the total of all plans (a decision with its reason)")


class Command(BaseModel):
    """An update's argument: the command, who gave it, and the day it counts for."""

    actor: Actor
    today: date  # Finnish date when the command was given
    make: MakePlan | None = None
    review: ReviewPlan | None = None
    measure: MeasureBody | None = None
    change: MeasureChange | None = None
    extend: ExtendPlan | None = None


class CommandResult(CaseCommandResult):
    """What an accepted update answers: where the case now is, and the measure a command added."""

    measure_id: UUID | None = None


class PolicyChanged(BaseModel):
    """The `policy_changed` signal (`kotopolku policy apply`): the new policy's numbers for the
    plan's municipality. The plan works its policy-derived deadlines out again from them."""

    version: str
    label: str | None = None
    timings: PlanTimings
