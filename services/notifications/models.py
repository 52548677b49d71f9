"""The notifications service's records: the case-status projection that lists and dashboards
read, its change feed (timeline and SSE), notifications for staff, and the access log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field as SchemaField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from shared.db import empty_dict, empty_list, utc_column

from shared.contracts import CaseStatus, Deadline, Stage


class CaseView(SQLModel, table=True):
    """Where each case stands now, kept from `case.updated` events."""

    __tablename__ = "case_view"

    case_id: UUID = Field(primary_key=True)
    client_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    stage: str = Field(index=True)
    status: str
    next_deadline_kind: str | None = None
    next_deadline_on: date | None = Field(default=None, index=True)
    assignee: str | None = None  # the assignee's name, as staff read it
    assignee_sub: str | None = Field(default=None, index=True)  # who the case's caseworker notifications go to
    # Every open deadline, from the latest change: [{"kind": …, "due_on": "YYYY-MM-DD"}]
    deadlines: list[dict] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    reason: str
    changed_at: datetime = Field(sa_column=utc_column())


class ClientView(SQLModel, table=True):
    """Who the client is, as staff need it on a case (kept from `client.recorded`)."""

    __tablename__ = "client_view"

    client_id: UUID = Field(primary_key=True)
    given_names: str
    family_name: str
    birth_date: date
    nationality: str
    native_language: str
    preferred_languages: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    residence_basis: str
    lead: str
    eligible: bool
    eligibility_reason: str
    target_group: str | None = None
    # The groups the projects reach as recorded (None: before them), an unaccompanied minor's
    # guardian or representative, and the registration's household (a family plan links by it).
    client_groups: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    guardian: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    household_id: str | None = Field(default=None, index=True)
    # An interpreter needed (language, dialect) and the integration language chosen (fi | sv).
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    integration_language: str | None = None
    recorded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))  # the event's time
    # The client's contact for messages to them (client_messages/), and the channels they refused.
    email: str | None = None
    phone: str | None = None
    refused_channels: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False, server_default="[]"))


class CaseChange(SQLModel, table=True):
    """Every case change received (`case.changed`), in order: the timeline and the SSE feed
    (id = Last-Event-ID). `data` is the internal event; the feed sends its public part."""

    __tablename__ = "case_change"

    id: int | None = Field(default=None, primary_key=True)
    case_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    changed_at: datetime = Field(sa_column=utc_column())


class Notification(SQLModel, table=True):
    __tablename__ = "notification"

    id: UUID = Field(primary_key=True)
    kind: str
    municipality_code: str = Field(index=True)
    recipient_role: str
    recipient_sub: str | None = Field(default=None, index=True)  # one person (the case's assignee), else the role
    case_id: UUID | None = Field(default=None, index=True)
    client_id: UUID | None = None
    params: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    # E-mail delivery: pending while email_state is "pending"; "sent", or "none" (nobody to mail).
    email_state: str = Field(default="pending", index=True)
    email_attempts: int = 0
    email_error: str | None = None
    emailed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # While a delivery loop sends it: another loop (another notifications process) leaves it alone;
    # a loop that died while sending is taken over once this has passed.
    email_claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AccessLogEntry(SQLModel, table=True):
    """Who read which client's record, and when: one row per record read — a case in its detail
    (`case.read`) or in a list (`cases.list`, with the filters and name search that listed it), and
    the records other services showed (`personal_data.read` events: reviews, notices, assessments,
    plans). docs/access-log.md."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    user_sub: str = Field(index=True)
    user_name: str
    record_kind: str = "case"  # case | match_review | duplicate_review | recruitment_notice | case_employment | assessment | plan
    record_id: UUID | None = Field(default=None, index=True)
    case_id: UUID | None = Field(default=None, index=True)  # None: a notice's recruit who is no client yet
    client_id: UUID | None = Field(default=None, index=True)
    municipality_code: str | None = Field(default=None, index=True)  # the record's, when read
    action: str
    query: str | None = None  # the filters of a list, e.g. "q=hassan&stage=assessment"
    at: datetime = Field(sa_column=utc_column(index=True))


class AccessLogFilters(BaseModel):
    """The access log's filters (`GET /api/v1/access-log` query parameters): whose record, who read it, when."""

    case_id: UUID | None = None
    client_id: UUID | None = None
    record_id: UUID | None = None
    user_sub: str | None = SchemaField(default=None, max_length=200)
    since: datetime | None = None
    until: datetime | None = None


class AccessLogRead(BaseModel):
    id: int
    at: datetime
    user_sub: str
    user_name: str
    action: str
    record_kind: str
    record_id: UUID | None
    case_id: UUID | None
    client_id: UUID | None
    municipality_code: str | None
    query: str | None


# --- API schemas -------------------------------------------------------------------------------


class ClientSummary(BaseModel):
    client_id: UUID
    given_names: str
    family_name: str
    birth_date: date | None = None
    nationality: str | None = None
    native_language: str | None = None
    preferred_languages: list[str] = []
    residence_basis: str | None = None
    lead: str | None = None
    target_group: str | None = None
    client_groups: list[str] | None = SchemaField(
        default=None, description="the groups the projects reach, today (`young_people` from the birth date; docs/client-groups.md)")
    guardian: dict[str, Any] | None = SchemaField(default=None, description="an unaccompanied minor's guardian or representative")
    household_id: str | None = SchemaField(default=None, description="the registration's household: a family plan links its members")
    interpreter_language: str | None = None  # an interpreter is needed, in this language
    interpreter_dialect: str | None = None
    integration_language: str | None = None  # fi | sv: the client's chosen integration language


class CaseFilters(BaseModel):
    """The case list's filters (`GET /api/v1/cases` query parameters); none given: every case the user may see."""

    municipality: str | None = None
    stage: Stage | None = None
    overdue: bool | None = None
    q: str | None = SchemaField(default=None, max_length=100)
    household: str | None = SchemaField(default=None, max_length=200, description="the cases of one household (the registration's `household_id`): a family plan's members")
    due_within_days: int | None = SchemaField(
        default=None, ge=0, le=366,
        description="open cases with a deadline due within this many days from today (e.g. 7 or 30), "
        "those already passed included; nearest first. From the projection's deadlines, never from Temporal",
    )


class CaseRead(BaseModel):
    case_id: UUID
    client_id: UUID
    municipality_code: str
    municipality_name: str  # Finnish
    municipality_name_sv: str
    stage: Stage
    status: CaseStatus
    next_deadline: Deadline | None
    overdue: bool
    assignee: str | None  # the assignee's name (None: nobody has the case)
    assignee_sub: str | None = None
    changed_at: datetime
    reason: str
    client: ClientSummary | None


class TimelineEntry(BaseModel):
    at: datetime
    stage: Stage
    status: CaseStatus
    reason: str
    next_deadline: Deadline | None
    changed_by: str | None = None  # the staff member who made the change; None for the system


class CaseDetail(CaseRead):
    deadlines: list[Deadline]
    timeline: list[TimelineEntry]


class NotificationRead(BaseModel):
    id: UUID
    kind: str
    municipality_code: str
    recipient_role: str
    recipient_sub: str | None = None
    case_id: UUID | None
    created_at: datetime
    message: dict[str, str]  # fi, sv, en
