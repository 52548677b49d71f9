"""Links to the client's page, and the schemas of its API and of the staff API that makes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field as SchemaField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from services.notifications.feedback.models import FeedbackQuestion
from shared.db import empty_list, utc_column


class ClientLink(SQLModel, table=True):
    """A one-time link to the client's page. Only hashes of its secrets are kept: the link's token
    (sent on one channel), the code (sent on the other) and the page session the two open."""

    __tablename__ = "client_link"

    id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    client_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    token_hash: str = Field(unique=True)
    code_hash: str
    link_channel: str  # sms | email
    code_channel: str  # the other one
    created_by: str  # the staff member's sub
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_by: str | None = None
    failed_codes: int = 0
    locked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    session_hash: str | None = Field(default=None, index=True)


class ClientLinkCreate(BaseModel):
    """Where the link goes; the code goes on the other channel."""

    link_channel: Literal["sms", "email"] = "email"


class ClientLinkRead(BaseModel):
    id: UUID
    created_at: datetime
    expires_at: datetime
    link_channel: str
    code_channel: str
    created_by: str
    state: str  # active | expired | revoked | locked


class CodeEntry(BaseModel):
    """The link's token (from the link) and the code (from the other message)."""

    token: str = SchemaField(min_length=16, max_length=100)
    code: str = SchemaField(pattern=r"^\s*\d{6}\s*$")


class PageSession(BaseModel):
    session: str  # sent back as `Authorization: Bearer …` while the page is open
    language: str


class NextStep(BaseModel):
    kind: str  # a deadline kind: assessment_start, plan_start, plan_referral, plan_review, plan_end
    due_on: date


class ClientPageRead(BaseModel):
    """What the client's page shows: no reasons, no residence basis, no identity code."""

    language: str
    direction: Literal["ltr", "rtl"]
    given_names: str
    municipality: str
    stage: str
    next_step: NextStep | None
    contact_name: str | None  # the caseworker who has the case
    # The welcome package by language ({"fi": […], "ar": […]}): the page shows its language's, else English.
    welcome: dict[str, list[WelcomeEntry]] = {}
    self_report_open: bool = False  # the client may still tell of themselves (before the assessment)
    measures: list[MeasureOnPage] = []  # the plan's measures referred to a provider, started or ended
    feedback: list[FeedbackQuestion] = []  # the questions waiting for the client's answer


class ClientMeasure(SQLModel, table=True):
    """A measure of the client's plan as their page shows it, kept from the `measure.*` domain
    events (the referral carries the provider, the place, the language and the dates)."""

    __tablename__ = "client_measure"

    measure_id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True)
    client_id: UUID
    municipality_code: str
    kind: str | None = None
    service_code: str | None = None
    provider: str | None = None
    place: str | None = None  # an address, or "remote"
    language: str | None = None
    interpreter_language: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: str  # referred | started | completed | interrupted
    changed_on: date


class MeasureOnPage(BaseModel):
    kind: str | None
    provider: str | None
    place: str | None = None  # an address, or "remote"
    language: str | None
    interpreter_language: str | None
    starts_on: date | None
    ends_on: date | None
    status: str


WelcomeSection = Literal["registrations", "housing", "daycare_and_school", "health", "work", "associations"]
WELCOME_SECTIONS: tuple[str, ...] = WelcomeSection.__args__


class WelcomeItem(SQLModel, table=True):
    """One piece of a municipality's welcome package, in one language: kept by its coordinators and
    shown on its clients' pages after the national defaults (welcome.toml)."""

    __tablename__ = "welcome_item"

    id: int | None = Field(default=None, primary_key=True)
    municipality_code: str = Field(index=True)
    position: int  # the order the coordinators gave
    section: str
    language: str
    title: str
    body: str
    url: str | None = None
    updated_by: str
    updated_at: datetime = Field(sa_column=utc_column())


class WelcomeItemWrite(BaseModel):
    section: WelcomeSection
    language: Literal["fi", "sv", "en", "ru", "uk", "ar", "so", "fa", "et"]
    title: str = SchemaField(min_length=1, max_length=200)
    body: str = SchemaField(min_length=1, max_length=4000)
    url: str | None = SchemaField(default=None, max_length=500, pattern=r"^https://\S+$")


class WelcomePackage(BaseModel):
    """A municipality's own welcome items, in the order shown (the national defaults come first)."""

    items: list[WelcomeItemWrite] = SchemaField(default_factory=list, max_length=200)


class WelcomeEntry(BaseModel):
    section: str
    title: str
    body: str
    url: str | None = None
    own: bool  # the municipality's own, not a national default


SelfLevel = Literal["beginner", "basic", "good", "fluent", "native"]


class SelfReportedLanguage(BaseModel):
    language: str = SchemaField(min_length=1, max_length=60)  # as the client names it
    level: SelfLevel  # as the client sees it


class SelfReportWrite(BaseModel):
    """What the client tells before the assessment, in their own words."""

    languages: list[SelfReportedLanguage] = SchemaField(default_factory=list, max_length=10)
    education: str = SchemaField(default="", max_length=2000)
    work_history: str = SchemaField(default="", max_length=2000)
    goals: str = SchemaField(default="", max_length=2000)
    help_wanted: str = SchemaField(default="", max_length=2000)


class SelfReportRead(SelfReportWrite):
    submitted_at: datetime
    verified: bool = False  # the client's own words: nobody has checked them


class ClientSelfReport(SQLModel, table=True):
    """The client's self-report of a case (the latest they sent), kept apart from what staff record."""

    __tablename__ = "client_self_report"

    case_id: UUID = Field(primary_key=True)
    client_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    languages: list[dict] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    education: str = ""
    work_history: str = ""
    goals: str = ""
    help_wanted: str = ""
    submitted_at: datetime = Field(sa_column=utc_column())
