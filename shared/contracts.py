"""What the services must agree on: exchange names, event types, payloads, stages and statuses.

External names (CONTRACT.md) are fixed; the internal ones are Kotopolku's own and documented in
docs/asyncapi.yaml. This module is imported by workflows, so it stays light: pydantic only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, Field

# The assessment's and the plan's workflow ids, inputs and outcomes have a module of their own.
from shared.workflow_contracts import (  # noqa: F401
    ASSESSMENT_MOVED_SIGNAL,
    ASSESSMENT_WORKFLOW,
    LANGUAGE_NEEDS_SIGNAL,
    PLAN_CLOSE_SIGNAL,
    PLAN_MOVED_SIGNAL,
    PLAN_WORKFLOW,
    AssessmentInput,
    AssessmentMoved,
    AssessmentOutcome,
    AssessmentTimings,
    ClientMoved,
    LanguageNeedsChanged,
    PlanInput,
    PlanOutcome,
    PlanTimings,
    assessment_workflow_id,
    plan_workflow_id,
)

# Exchanges (topic, durable)
INBOUND_EXCHANGE = "kotopolku.inbound"  # municipal systems publish here
EVENTS_EXCHANGE = "kotopolku.events"  # public feed: case.updated for dashboards
# The same public events by header: bind with `x-match: all, kotopolku-municipality: 109` for one
# municipality's events (a headers exchange bound to EVENTS_EXCHANGE, the relay sets the header).
EVENTS_BY_MUNICIPALITY_EXCHANGE = "kotopolku.events.by-municipality"
MUNICIPALITY_HEADER = "kotopolku-municipality"
INTERNAL_EXCHANGE = "kotopolku.internal"  # between Kotopolku's own services
INBOUND_DEAD_QUEUE = "kotopolku.inbound.dead"

# Inbound event types (CONTRACT.md §1)
RESIDENT_REGISTERED = "fi.kotopolku.resident.registered.v1"
JOBSEEKER_REGISTERED = "fi.kotopolku.jobseeker.registered.v1"
JOBSEEKER_DEREGISTERED = "fi.kotopolku.jobseeker.deregistered.v1"  # left job search: the municipality leads again
RESIDENT_MOVED = "fi.kotopolku.resident.moved.v1"
ASSESSMENT_REQUESTED = "fi.kotopolku.assessment.requested.v1"
SERVICE_REPORTED = "fi.kotopolku.service.reported.v1"

# Published
CASE_UPDATED = "fi.kotopolku.case.updated.v1"
# Internal
CLIENT_RECORDED = "fi.kotopolku.internal.client.recorded.v1"
CASE_CHANGED = "fi.kotopolku.internal.case.changed.v1"
NOTIFICATION_REQUESTED = "fi.kotopolku.internal.notification.requested.v1"
SERVICE_REPORT_RECEIVED = "fi.kotopolku.internal.service.reported.v1"
RECRUITMENT_NOTICE_UPDATED = "fi.kotopolku.internal.recruitment_notice.updated.v1"
PERSONAL_DATA_READ = "fi.kotopolku.internal.personal_data.read.v1"  # for the access log (shared/access.py)
# Internal events a Kotopolku service consumes: the outbox holds one until the broker can route it
# (its consumer's queue exists), instead of letting it vanish. The others are announcements.
MUST_REACH_A_CONSUMER = frozenset({CLIENT_RECORDED, CASE_CHANGED, NOTIFICATION_REQUESTED, SERVICE_REPORT_RECEIVED, PERSONAL_DATA_READ})


def service_source(service: str) -> str:
    """CloudEvent `source` of what a Kotopolku service publishes."""
    return f"urn:kotopolku:service:{service}"


def task_queue(service: str) -> str:
    return f"kotopolku-{service}"


ModelT = TypeVar("ModelT", bound=BaseModel)


def from_record(model: type[ModelT], record: object, **values: Any) -> ModelT:
    """A payload or view of a record: its fields of the same names as the record's attributes,
    the others (or those named otherwise) given as `values`."""
    copied = {name: getattr(record, name) for name in model.model_fields if name not in values}
    return model(**copied, **values)


class Stage(StrEnum):
    intake = "intake"
    assessment = "assessment"
    planning = "planning"
    follow_up = "follow_up"
    closed = "closed"


class CaseStatus(StrEnum):
    """Statuses within each stage (documented in docs/case-statuses.md)."""

    # intake
    received = "received"
    needs_triage = "needs_triage"  # unclear whether a target group: staff decide (the triage queue)
    guidance_offered = "guidance_offered"  # recorded, in no target group: guidance, no statutory clock
    # assessment
    awaiting_assessment = "awaiting_assessment"
    assessment_scheduled = "assessment_scheduled"
    assessment_overdue = "assessment_overdue"
    assessment_in_progress = "assessment_in_progress"
    # planning
    awaiting_plan = "awaiting_plan"
    plan_overdue = "plan_overdue"
    # follow_up
    plan_active = "plan_active"
    review_overdue = "review_overdue"
    plan_expired = "plan_expired"  # the plan's period ended: extend it (a decision) or close the case
    # closed
    not_eligible = "not_eligible"
    completed = "completed"
    moved_away = "moved_away"
    plan_not_needed = "plan_not_needed"
    employed = "employed"
    studying = "studying"
    time_limit = "time_limit"
    declined = "declined"


STATUSES_BY_STAGE: dict[Stage, tuple[CaseStatus, ...]] = {
    Stage.intake: (CaseStatus.received, CaseStatus.needs_triage, CaseStatus.guidance_offered),
    Stage.assessment: (
        CaseStatus.awaiting_assessment,
        CaseStatus.assessment_scheduled,
        CaseStatus.assessment_overdue,
        CaseStatus.assessment_in_progress,
    ),
    Stage.planning: (CaseStatus.awaiting_plan, CaseStatus.plan_overdue),
    Stage.follow_up: (CaseStatus.plan_active, CaseStatus.review_overdue, CaseStatus.plan_expired),
    Stage.closed: (
        CaseStatus.not_eligible,
        CaseStatus.completed,
        CaseStatus.moved_away,
        CaseStatus.plan_not_needed,
        CaseStatus.employed,
        CaseStatus.studying,
        CaseStatus.time_limit,
        CaseStatus.declined,
    ),
}


class ClosureReason(StrEnum):
    """CONTRACT §5 `closure`: why a client's path ends."""

    employed = "employed"
    studying = "studying"
    moved_away = "moved_away"
    time_limit = "time_limit"
    declined = "declined"
    other = "other"


# The closed case's status for each reason (`other`: completed, the reason on the timeline).
CLOSURE_STATUS: dict[ClosureReason, CaseStatus] = {
    ClosureReason.employed: CaseStatus.employed,
    ClosureReason.studying: CaseStatus.studying,
    ClosureReason.moved_away: CaseStatus.moved_away,
    ClosureReason.time_limit: CaseStatus.time_limit,
    ClosureReason.declined: CaseStatus.declined,
    ClosureReason.other: CaseStatus.completed,
}


class DeadlineKind(StrEnum):
    """CONTRACT.md §5: the kinds of statutory deadline a case can have open."""

    assessment_start = "assessment_start"
    plan_start = "plan_start"
    plan_referral = "plan_referral"
    plan_review = "plan_review"
    plan_end = "plan_end"
    triage_decision = "triage_decision"  # staff decide whether the client is in a target group


class NotificationKind(StrEnum):
    """What staff can be told. Each has a title and a body in the translation catalogue
    (`notification.<kind>.title`, `notification.<kind>.body`, shared/locale/)."""

    deadline_missed = "deadline_missed"
    possible_duplicate = "possible_duplicate"
    client_moved_out = "client_moved_out"
    client_moved_in = "client_moved_in"
    notice_received = "notice_received"
    notice_reminder = "notice_reminder"
    notice_expired = "notice_expired"
    notice_withdrawn = "notice_withdrawn"
    notice_arrived = "notice_arrived"
    notice_match_review = "notice_match_review"
    assessment_deadline_reminder = "assessment_deadline_reminder"
    assessment_interview_reminder = "assessment_interview_reminder"
    plan_deadline_reminder = "plan_deadline_reminder"
    referral_unanswered = "referral_unanswered"
    case_closed = "case_closed"
    webhook_disabled = "webhook_disabled"
    county_participation_requested = "county_participation_requested"  # to the wellbeing services county


class Deadline(BaseModel):
    kind: DeadlineKind
    due_on: date


class CaseChange(BaseModel):
    """The argument of intake's `record_case_change` activity (task queue kotopolku-intake): a
    workflow (the client's path, the assessment) moves the case; intake owns the case and its
    case.updated events."""

    case_id: UUID
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None
    reason: str
    changed_by: str | None = None  # the staff member's name; None for the system itself
    # Every open deadline of the case; None: just the next one (or none).
    deadlines: list[Deadline] | None = None
    # Put on the timeline even when stage, status and deadlines stay (e.g. an interview rescheduled).
    announce: bool = False
    # What happened (a shared.lifecycle.Fact code): intake moves the case by the lifecycle table and
    # publishes the fact's domain event with `details` (DOMAIN_EVENTS' data without the ids). None
    # in changes asked for before workflows reported facts: stage and status are then checked only.
    fact: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class CaseUpdated(BaseModel):
    """`data` of fi.kotopolku.case.updated.v1 (CONTRACT.md §3), fixed; `deadlines` (§5) lists every
    open deadline beside the nearest one."""

    case_id: UUID
    client_id: UUID
    municipality_code: str
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None = None
    deadlines: list[Deadline] = Field(default_factory=list)
    changed_at: datetime
    reason: str


class CaseChanged(CaseUpdated):
    """Internal (fi.kotopolku.internal.case.changed.v1): the same change with what staff views need
    and the public event does not carry: who has the case, and who made the change."""

    assignee_sub: str | None = None
    assignee_name: str | None = None
    changed_by: str | None = None  # the staff member's name (or sub); None for the system itself
    # A registration's client record rides on the case's first change: one event, and one
    # transaction in the notifications service, instead of two (never in the public event).
    client: ClientRecorded | None = None

    def public(self) -> CaseUpdated:
        return CaseUpdated.model_validate(self.model_dump(include=set(CaseUpdated.model_fields)))


class ClientRecorded(BaseModel):
    """Internal: who the client is, for staff views. Never carries the identity code."""

    client_id: UUID
    case_id: UUID
    municipality_code: str
    given_names: str
    family_name: str
    birth_date: date
    nationality: str
    native_language: str
    preferred_languages: list[str] = Field(default_factory=list)
    # An interpreter needed (language, dialect) and the integration language chosen (fi | sv): the
    # message language falls back to it, staff see the need on the case.
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    integration_language: str | None = None
    residence_basis: str
    lead: str
    # The registration's contact: messages to the client (services/notifications/client_messages).
    email: str | None = None
    phone: str | None = None
    eligible: bool
    eligibility_reason: str
    target_group: str | None = None  # who is owed an assessment (None: no target group, or not decided)
    # The groups the projects reach, as recorded (shared/client_groups.py; None: recorded before
    # them), an unaccompanied minor's guardian or representative, and the registration's household.
    client_groups: list[str] | None = None
    guardian: dict[str, Any] | None = None
    household_id: str | None = None


CaseChanged.model_rebuild()  # its `client` is defined above now


class NotificationRequested(BaseModel):
    """Internal: somebody must be told something. The notifications service decides how."""

    notification_id: UUID
    kind: str  # a NotificationKind value, e.g. "deadline_missed"
    # Always set on the event. A workflow asking about a case may leave it out: intake fills it in
    # from the case before the request leaves (the case may have moved meanwhile).
    municipality_code: str | None = None
    recipient_role: str  # caseworker | coordinator | admin
    # One person (a token's `sub`); unset, a case's caseworker notification goes to the case's
    # assignee when it has one (the notifications service knows), else to the role.
    recipient_sub: str | None = None
    case_id: UUID | None = None
    client_id: UUID | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    notice_id: UUID | None = None  # a recruitment notice's notification names the notice


class ServiceReport(BaseModel):
    """Internal: a provider's report on a measure of the client's plan, resolved to the client."""

    client_id: UUID
    case_id: UUID
    municipality_code: str
    service_code: str
    status: str  # started | completed | interrupted
    on: date
    result: dict[str, Any] | None = None
    reported_by: str  # the producing system's CloudEvents source
    event_id: str


class RecruitmentNoticeUpdated(BaseModel):
    """Internal: a recruitment notice changed status. Carries no data about the recruit."""

    notice_id: UUID
    municipality_code: str  # the destination municipality
    status: str  # received | acknowledged | arrived | expired | withdrawn
    changed_at: datetime
    reason: str
    client_id: UUID | None = None  # the registered resident, once arrived
    case_id: UUID | None = None


class RecordRead(BaseModel):
    """One record of personal data a staff member was shown: what kind, its id, whose it is and in
    which municipality (the one whose coordinators see the read in the access log). Never the data."""

    kind: str  # match_review | duplicate_review | recruitment_notice | case_employment | assessment | plan
    record_id: UUID
    municipality_code: str
    client_id: UUID | None = None  # None: a recruit not (yet) known as a client
    case_id: UUID | None = None


class PersonalDataRead(BaseModel):
    """`personal_data.read`: a service showed a staff member personal data (one event per request;
    the notifications service writes one access log row per record)."""

    user_sub: str
    user_name: str
    at: datetime
    action: str  # e.g. match_reviews.list, recruitment_notice.read, assessment.read
    query: str | None = None  # a list's filters
    records: list[RecordRead]


# --- domain events (CONTRACT §3) live in shared/domain_contracts.py -----------------------------


def __getattr__(name: str) -> Any:
    """The domain events' names, read from here as before they had a module of their own. Looked
    up only when asked for: that module needs this one's enums, so it cannot be imported above."""
    from shared import domain_contracts

    try:
        return getattr(domain_contracts, name)
    except AttributeError:
        raise AttributeError(f"module 'shared.contracts' has no attribute {name!r}") from None
