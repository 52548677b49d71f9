"""What the services must agree on: exchange names, event types, payloads, stages and statuses.

External names (CONTRACT.md) are fixed; the internal ones are Kotopolku's own and documented in
docs/asyncapi.yaml. This module is imported by workflows, so it stays light: pydantic only.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

# Exchanges (topic, durable)
INBOUND_EXCHANGE = "kotopolku.inbound"  # municipal systems publish here
EVENTS_EXCHANGE = "kotopolku.events"  # public feed: case.updated for dashboards
INTERNAL_EXCHANGE = "kotopolku.internal"  # between Kotopolku's own services
INBOUND_DEAD_QUEUE = "kotopolku.inbound.dead"

# Inbound event types (CONTRACT.md §1)
RESIDENT_REGISTERED = "fi.kotopolku.resident.registered.v1"
JOBSEEKER_REGISTERED = "fi.kotopolku.jobseeker.registered.v1"
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


def service_source(service: str) -> str:
    """CloudEvent `source` of what a Kotopolku service publishes."""
    return f"urn:kotopolku:service:{service}"


def task_queue(service: str) -> str:
    return f"kotopolku-{service}"


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
    # assessment
    awaiting_assessment = "awaiting_assessment"
    assessment_overdue = "assessment_overdue"
    assessment_in_progress = "assessment_in_progress"
    # planning
    awaiting_plan = "awaiting_plan"
    plan_overdue = "plan_overdue"
    # follow_up
    plan_active = "plan_active"
    review_overdue = "review_overdue"
    # closed
    not_eligible = "not_eligible"
    completed = "completed"
    moved_away = "moved_away"


STATUSES_BY_STAGE: dict[Stage, tuple[CaseStatus, ...]] = {
    Stage.intake: (CaseStatus.received,),
    Stage.assessment: (
        CaseStatus.awaiting_assessment,
        CaseStatus.assessment_overdue,
        CaseStatus.assessment_in_progress,
    ),
    Stage.planning: (CaseStatus.awaiting_plan, CaseStatus.plan_overdue),
    Stage.follow_up: (CaseStatus.plan_active, CaseStatus.review_overdue),
    Stage.closed: (CaseStatus.not_eligible, CaseStatus.completed, CaseStatus.moved_away),
}


class DeadlineKind(StrEnum):
    """CONTRACT.md §5: the kinds of statutory deadline a case can have open."""

    assessment_start = "assessment_start"
    plan_start = "plan_start"
    plan_referral = "plan_referral"
    plan_review = "plan_review"
    plan_end = "plan_end"


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


class Deadline(BaseModel):
    kind: DeadlineKind
    due_on: date


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
    residence_basis: str
    lead: str
    eligible: bool
    eligibility_reason: str


class NotificationRequested(BaseModel):
    """Internal: somebody must be told something. The notifications service decides how."""

    notification_id: UUID
    kind: str  # a NotificationKind value, e.g. "deadline_missed"
    municipality_code: str
    recipient_role: str  # caseworker | coordinator | admin
    case_id: UUID | None = None
    client_id: UUID | None = None
    params: dict[str, Any] = Field(default_factory=dict)


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
