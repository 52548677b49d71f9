"""What staff tell an assessment, and what it answers: the payloads of the assessment workflow's
updates, shared by the HTTP routes (which validate bodies with them) and the workflow (which
receives them). Pydantic only: the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.contracts import AssessmentMoved, AssessmentTimings
from shared.workflow_payloads import Actor, CommandResult, Strict  # CommandResult: the routes and the workflow name it from here

# Update names of the `Assessment` workflow (`assessment-<case_id>`, task queue kotopolku-assessment).
SCHEDULE = "schedule"
START = "start"
RECORD = "record"
COMPLETE = "complete"
CORRECT = "correct"
# Signals: facts reported to the assessment.
MOVED = "moved"  # the client moved: cancel here, re-open in the new municipality, same deadline
POLICY_CHANGED = "policy_changed"  # a new policy was applied: the deadline and timers follow its numbers
CASE_CLOSED = "case_closed"  # the case closed before the assessment ended
# Query
STATE = "state"


class CefrLevel(StrEnum):
    """CEFR with the Finnish sub-levels (YKI grades 1–6 = A1–C2)."""

    A1_1 = "A1.1"
    A1_2 = "A1.2"
    A1_3 = "A1.3"
    A2_1 = "A2.1"
    A2_2 = "A2.2"
    B1_1 = "B1.1"
    B1_2 = "B1.2"
    B2_1 = "B2.1"
    B2_2 = "B2.2"
    C1_1 = "C1.1"
    C1_2 = "C1.2"
    C2 = "C2"


class LanguageSkill(Strict):
    language: str = Field(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 (or 639-3) code, e.g. fi, sv, ar")
    skill: Literal["speaking", "writing", "listening", "reading"]
    level: CefrLevel
    source: Literal["interview", "level_test", "integration_training_exam", "yki"]
    assessed_on: date


class Education(Strict):
    level: Literal["none", "primary", "secondary", "vocational", "bachelor", "master", "doctorate", "other"]
    field: str | None = Field(default=None, max_length=200)
    years: int | None = Field(default=None, ge=0, le=40)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")


class WorkExperience(Strict):
    occupation: str = Field(max_length=200)
    years: float | None = Field(default=None, ge=0, le=60)


class SpecifyingMeasure(Strict):
    """A further measure whose result arrives later (e.g. a language level test)."""

    kind: Literal["language_level_test", "recognition_of_prior_learning", "other"]
    description: str | None = Field(default=None, max_length=500)
    expected_on: date | None = None


class ScheduleAssessment(Strict):
    on: date
    at: time | None = None
    place: str | None = Field(default=None, max_length=200)
    remote: bool = False
    interview_language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    interpreter_language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$", description="set when an interpreter is booked")
    interpreter_dialect: str | None = Field(default=None, min_length=1, max_length=100, description="the booked interpreter's dialect, as the client names it")


class StartAssessment(Strict):
    started_on: date | None = None  # default: today (Finnish time)


# Every list and text of a command is bounded: each command goes into the case's workflow history
# (twice), and Temporal ends a workflow whose history outgrows its limit.
Skill = Annotated[str, Field(min_length=1, max_length=200)]
ServiceNeed = Annotated[str, Field(min_length=1, max_length=100)]


class InterviewRecord(Strict):
    """Parts of the interview; each call adds or replaces the parts it names (none is required)."""

    literacy: Literal["literate", "literate_other_alphabet", "partly_literate", "not_literate"] | None = None
    language_skills: list[LanguageSkill] | None = Field(default=None, max_length=40)
    education: list[Education] | None = Field(default=None, max_length=20)
    work_history: list[WorkExperience] | None = Field(default=None, max_length=30)
    special_skills: list[Skill] | None = Field(default=None, max_length=30)
    goals: str | None = Field(default=None, max_length=4000)
    life_situation: str | None = Field(default=None, max_length=4000)
    service_needs: list[ServiceNeed] | None = Field(default=None, max_length=30, description="service codes (of the service map)")
    specifying_measures: list[SpecifyingMeasure] | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=4000)


PlanType = Literal["individual", "multi_sectoral", "family"]


class CompleteAssessment(InterviewRecord):
    """CONTRACT §5: at least `plan_needed`."""

    plan_needed: bool
    plan_type: PlanType | None = None
    wellbeing_county_participant_sub: str | None = Field(
        default=None, max_length=200,
        description="multi_sectoral: who takes part for the wellbeing services county, chosen from its staff list "
        "(`GET /api/v1/cases/{case_id}/plan/county-staff`) by `sub`; the plan made from the assessment inherits them")
    wellbeing_county_participant: str | None = Field(
        default=None, max_length=200, description="the participant's name: filled in from the county's staff list (a typed one is refused)")
    completed_on: date | None = None  # default: today (Finnish time)
    reason: str | None = Field(default=None, max_length=500, description="why no plan is needed")


class CorrectAssessment(InterviewRecord):
    """A correction of a completed assessment: recorded beside the original, with who and why."""

    reason: str = Field(min_length=1, max_length=1000)


class Command(BaseModel):
    """An update's argument: the command, who gave it, and the day it counts for."""

    actor: Actor
    today: date  # Finnish date when the command was given (the workflow has no clock of its own for days)
    schedule: ScheduleAssessment | None = None
    start: StartAssessment | None = None
    record: InterviewRecord | None = None
    complete: CompleteAssessment | None = None
    correct: CorrectAssessment | None = None


# The `moved` signal's payload lives in shared.contracts: intake sends it.
Moved = AssessmentMoved


class PolicyChanged(BaseModel):
    """The `policy_changed` signal (`kotopolku policy apply`): the numbers of the new policy for the
    assessment's municipality. The workflow works its deadline out again from them."""

    version: str
    label: str | None = None
    assessment_start_months: int
    timings: AssessmentTimings
