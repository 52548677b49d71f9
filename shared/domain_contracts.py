"""The domain events (CONTRACT §3): what happened to a case, published on `kotopolku.events` with
the type as routing key, and the employment authority's hand-over family. Their types and
payloads, part of the contract (`shared.contracts` answers for these names too); imported by
workflows, so it stays light: pydantic only.
"""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from pydantic import BaseModel

from shared.contracts import CASE_UPDATED, DeadlineKind

# Each carries the case's ids and what a subscriber needs to act on it without reading Kotopolku's
# database; never an identity code, a name or the residence basis. Documented in docs/asyncapi.yaml.


class DomainEvent(BaseModel):
    case_id: UUID
    client_id: UUID
    municipality_code: str


class AssessmentScheduled(DomainEvent):
    on: date
    at: time | None = None
    place: str | None = None  # where the interview is (the client is told it)
    remote: bool | None = None
    interview_language: str | None = None
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    rescheduled: bool = False


class AssessmentStarted(DomainEvent):
    started_on: date


class AssessmentCompleted(DomainEvent):
    """CONTRACT §3, fixed."""

    completed_on: date
    plan_needed: bool


class AssessmentCorrected(DomainEvent):
    corrected_on: date
    parts: list[str]  # the names of the corrected parts (their content stays in Kotopolku)


class PlanMade(DomainEvent):
    """CONTRACT §3, fixed."""

    plan_type: str
    made_on: date


class PlanReviewed(DomainEvent):
    reviewed_on: date
    next_review_on: date
    # The client's recorded interpreter need, for the next review meeting (null: none recorded).
    interpreter_needed: bool | None = None
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None


class PlanExtended(DomainEvent):
    decided_on: date
    ends_on: date


class PlanEnded(DomainEvent):
    ended_on: date
    reason: str  # time_limit, or the closure reason of the case


class MeasureChanged(DomainEvent):
    """measure.referred / started / completed / interrupted."""

    measure_id: UUID | None = None  # None: a provider's report that matched no measure of the plan
    kind: str | None = None
    service_code: str | None = None
    on: date
    referred_on: date | None = None  # when the measure was referred to its provider
    days_from_referral: int | None = None  # measure.started: how long the provider took to start it


class MeasureReferred(MeasureChanged):
    """What the provider needs to start: the service, the language and interpreter, who to contact
    at the municipality, and the dates."""

    language: str | None = None
    # The client's recorded interpreter need (the interview's booked one in plans started before it
    # was recorded): true with the language and dialect; null: none recorded.
    interpreter_needed: bool | None = None
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    place: str | None = None  # where the measure is given: an address, or "remote"
    starts_on: date | None = None
    ends_on: date | None = None
    provider: str | None = None
    contact: dict[str, str] | None = None  # who referred it at the municipality: {"name": …} (not the client's contact)


class DeadlineEvent(DomainEvent):
    """deadline.reminded / passed / escalated."""

    kind: DeadlineKind
    due_on: date
    days_before: int | None = None  # a reminder's days before the deadline


class CaseAssigned(DomainEvent):
    assignee_sub: str | None  # None: unassigned
    assigned_on: date


class CaseClosed(DomainEvent):
    """CONTRACT §3, fixed: `reason` is a §5 closure reason, or `not_eligible` / `plan_not_needed`."""

    reason: str
    closed_on: date


ASSESSMENT_SCHEDULED = "fi.kotopolku.assessment.scheduled.v1"
ASSESSMENT_STARTED = "fi.kotopolku.assessment.started.v1"
ASSESSMENT_COMPLETED = "fi.kotopolku.assessment.completed.v1"
ASSESSMENT_CORRECTED = "fi.kotopolku.assessment.corrected.v1"
PLAN_MADE = "fi.kotopolku.plan.made.v1"
PLAN_REVIEWED = "fi.kotopolku.plan.reviewed.v1"
PLAN_EXTENDED = "fi.kotopolku.plan.extended.v1"
PLAN_ENDED = "fi.kotopolku.plan.ended.v1"
MEASURE_REFERRED = "fi.kotopolku.measure.referred.v1"
MEASURE_STARTED = "fi.kotopolku.measure.started.v1"
MEASURE_COMPLETED = "fi.kotopolku.measure.completed.v1"
MEASURE_INTERRUPTED = "fi.kotopolku.measure.interrupted.v1"
DEADLINE_REMINDED = "fi.kotopolku.deadline.reminded.v1"
DEADLINE_PASSED = "fi.kotopolku.deadline.passed.v1"
DEADLINE_ESCALATED = "fi.kotopolku.deadline.escalated.v1"
CASE_ASSIGNED = "fi.kotopolku.case.assigned.v1"
CASE_CLOSED = "fi.kotopolku.case.closed.v1"

DOMAIN_EVENTS: dict[str, type[DomainEvent]] = {
    ASSESSMENT_SCHEDULED: AssessmentScheduled,
    ASSESSMENT_STARTED: AssessmentStarted,
    ASSESSMENT_COMPLETED: AssessmentCompleted,
    ASSESSMENT_CORRECTED: AssessmentCorrected,
    PLAN_MADE: PlanMade,
    PLAN_REVIEWED: PlanReviewed,
    PLAN_EXTENDED: PlanExtended,
    PLAN_ENDED: PlanEnded,
    MEASURE_REFERRED: MeasureReferred,
    MEASURE_STARTED: MeasureChanged,
    MEASURE_COMPLETED: MeasureChanged,
    MEASURE_INTERRUPTED: MeasureChanged,
    DEADLINE_REMINDED: DeadlineEvent,
    DEADLINE_PASSED: DeadlineEvent,
    DEADLINE_ESCALATED: DeadlineEvent,
    CASE_ASSIGNED: CaseAssigned,
    CASE_CLOSED: CaseClosed,
}
# The hand-over to the employment authority (issue 16): the assessments, plans, measures and case
# closures of the clients it leads (jobseekers, or handed to it by a decision) are its record, not
# the municipality's (no Koto-AJ export): each such domain event is followed by one of the
# `fi.kotopolku.jobseeker.` family, with the same data, for the authority to bind (docs/koto-aj.md).
HANDED_TO_EMPLOYMENT_AUTHORITY: dict[str, str] = {
    ASSESSMENT_COMPLETED: "fi.kotopolku.jobseeker.assessment.completed.v1",
    ASSESSMENT_CORRECTED: "fi.kotopolku.jobseeker.assessment.corrected.v1",  # handed by intake on its own queue
    PLAN_MADE: "fi.kotopolku.jobseeker.plan.made.v1",
    PLAN_REVIEWED: "fi.kotopolku.jobseeker.plan.reviewed.v1",
    PLAN_EXTENDED: "fi.kotopolku.jobseeker.plan.extended.v1",
    PLAN_ENDED: "fi.kotopolku.jobseeker.plan.ended.v1",
    MEASURE_REFERRED: "fi.kotopolku.jobseeker.measure.referred.v1",
    MEASURE_STARTED: "fi.kotopolku.jobseeker.measure.started.v1",
    MEASURE_COMPLETED: "fi.kotopolku.jobseeker.measure.completed.v1",
    MEASURE_INTERRUPTED: "fi.kotopolku.jobseeker.measure.interrupted.v1",
    CASE_CLOSED: "fi.kotopolku.jobseeker.case.closed.v1",
}
EMPLOYMENT_AUTHORITY_EVENTS: dict[str, type[DomainEvent]] = {
    handed: DOMAIN_EVENTS[domain] for domain, handed in HANDED_TO_EMPLOYMENT_AUTHORITY.items()
}
# Every type Kotopolku publishes on kotopolku.events (docs/asyncapi.yaml documents the same set).
PUBLIC_EVENT_TYPES = frozenset({CASE_UPDATED, *DOMAIN_EVENTS, *EMPLOYMENT_AUTHORITY_EVENTS})
