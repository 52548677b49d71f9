"""Intake's records (clients and their cases) and the schemas of what it takes in."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from shared.text import Printable, PrintableParagraphs
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field as TableField, SQLModel

from shared.db import UtcDateTime, empty_list, utc_column

from services.intake.identity import StatedTargetGroup, validate_identity_code
from shared.client_groups import GuardianRole, RecordedGroup
from shared import lifecycle, municipalities
from shared.contracts import CaseStatus, Stage

# --- inbound event data (CONTRACT.md §1) -------------------------------------------------------

ResidenceBasis = Literal[
    "work", "family", "study", "international_protection", "quota_refugee", "temporary_protection",
    "eu_registration", "nordic", "returnee", "trafficking_victim", "other",
]
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(Strict):
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 ]{4,19}$")


class InterpreterNeed(Strict):
    """The client needs an interpreter: in this language (and dialect, as the client names it)."""

    language: str = Field(pattern=r"^[a-z]{2,3}$", description="ISO 639-1, else ISO 639-3")
    dialect: Printable | None = Field(None, min_length=1, max_length=60, description="e.g. Dari, Sorani, Levantine")


class LanguageNeeds(Strict):
    """How to reach the client: an interpreter, and the integration language they chose (the
    national language they learn and are served in when their own is not available)."""

    interpreter: InterpreterNeed | None = None
    integration_language: Literal["fi", "sv"] | None = None


class Person(Strict):
    given_names: Printable = Field(min_length=1, max_length=200)
    family_name: Printable = Field(min_length=1, max_length=200)
    birth_date: date
    sex: Literal["female", "male", "other", "unknown"] | None = None
    personal_identity_code: str | None = None
    nationality: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    native_language: str = Field(description="ISO 639-1, else ISO 639-3")
    preferred_languages: list[str] = Field(default_factory=list, max_length=10)
    contact: Contact | None = None
    # Optional: an interpreter needed, and the integration language chosen (staff may set them later).
    interpreter: InterpreterNeed | None = None
    integration_language: Literal["fi", "sv"] | None = None

    @field_validator("native_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not LANGUAGE_CODE.match(value):
            raise ValueError("must be an ISO 639-1 or 639-3 language code in lower case")
        return value

    @field_validator("preferred_languages")
    @classmethod
    def _languages(cls, values: list[str]) -> list[str]:
        for value in values:
            cls._language(value)
        return values

    @model_validator(mode="after")
    def _identity_code_matches(self) -> "Person":
        if self.personal_identity_code is not None:
            # The message never repeats the code: it ends up in the dead-letter header and logs.
            try:
                info = validate_identity_code(self.personal_identity_code)
            except ValueError as error:
                raise ValueError(f"personal_identity_code is invalid: {error}") from None
            if info.birth_date != self.birth_date:
                raise ValueError("personal_identity_code does not match birth_date")
        return self


class PersonRef(Strict):
    client_id: UUID | None = None
    personal_identity_code: str | None = None
    external_ref: Printable | None = Field(None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _exactly_one(self) -> "PersonRef":
        given = [name for name in ("client_id", "personal_identity_code", "external_ref") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("person_ref must have exactly one of client_id, personal_identity_code, external_ref")
        if self.personal_identity_code:
            try:
                validate_identity_code(self.personal_identity_code)
            except ValueError as error:
                raise ValueError(f"personal_identity_code is invalid: {error}") from None
        return self


def _known_municipality(code: str) -> str:
    if not municipalities.exists(code):
        raise ValueError(f"unknown municipality code {code!r} (Statistics Finland, 3 digits)")
    return code


class Guardian(Strict):
    """An unaccompanied minor's guardian (huoltaja) or representative (edustaja): who speaks for them."""

    role: GuardianRole
    name: Printable = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 ]{4,19}$")
    organisation: Printable | None = Field(None, max_length=200)


class ClientGroups(Strict):
    """The groups the projects reach that a register or staff say (docs/client-groups.md); an
    unaccompanied minor always with their guardian or representative."""

    client_groups: list[RecordedGroup] = Field(default_factory=list, max_length=4)
    guardian: Guardian | None = Field(None, validate_default=True)

    @field_validator("guardian")
    @classmethod
    def _guardian_of_minor(cls, guardian: Guardian | None, info: ValidationInfo) -> Guardian | None:
        if guardian is None and "unaccompanied_minors" in (info.data.get("client_groups") or []):
            raise ValueError("an unaccompanied minor's guardian or representative must be given")
        return guardian


class ResidentRegistered(ClientGroups):
    person: Person
    external_ref: Printable = Field(min_length=1, max_length=200)
    municipality_code: str
    registered_on: date
    first_permit_or_registration_on: date
    residence_basis: ResidenceBasis
    household_id: Printable | None = Field(None, max_length=200)
    jobseeker: bool = False
    # The register may say outright whether the resident is in a target group (`none`: in none).
    target_group: StatedTargetGroup | None = None

    _municipality = field_validator("municipality_code")(_known_municipality)


class JobseekerRegistered(Strict):
    person_ref: PersonRef
    municipality_code: str
    registered_on: date

    _municipality = field_validator("municipality_code")(_known_municipality)


class JobseekerDeregistered(Strict):
    """The client left job search (the employment authority's register): the municipality leads again."""

    person_ref: PersonRef
    municipality_code: str
    deregistered_on: date

    _municipality = field_validator("municipality_code")(_known_municipality)


class ResidentMoved(Strict):
    person_ref: PersonRef
    from_municipality_code: str
    to_municipality_code: str
    moved_on: date

    _municipalities = field_validator("from_municipality_code", "to_municipality_code")(_known_municipality)

    @model_validator(mode="after")
    def _really_moves(self) -> "ResidentMoved":
        if self.from_municipality_code == self.to_municipality_code:
            raise ValueError("from_municipality_code and to_municipality_code are the same")
        return self


class AssessmentRequested(Strict):
    person_ref: PersonRef | None = None
    person: Person | None = None
    municipality_code: str
    requested_by: Printable = Field(min_length=1, max_length=200)
    reason: PrintableParagraphs = Field(min_length=1, max_length=2000)

    _municipality = field_validator("municipality_code")(_known_municipality)

    @model_validator(mode="after")
    def _someone(self) -> "AssessmentRequested":
        if (self.person_ref is None) == (self.person is None):
            raise ValueError("give exactly one of person_ref and person")
        return self


class ServiceReported(Strict):
    person_ref: PersonRef
    service_code: Printable = Field(min_length=1, max_length=100)
    status: Literal["started", "completed", "interrupted"]
    on: date
    result: dict[str, Any] | None = None


# --- tables ------------------------------------------------------------------------------------


class Client(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (UniqueConstraint("source", "external_ref"),)

    id: UUID = TableField(primary_key=True)
    municipality_code: str = TableField(index=True)
    source: str
    external_ref: str
    # The identity code is sealed (AES-GCM); the keyed hash finds a client by it.
    identity_code_hash: str | None = TableField(default=None, unique=True)
    identity_code_sealed: bytes | None = TableField(default=None, sa_column=Column(LargeBinary))
    given_names: str
    family_name: str
    birth_date: date
    sex: str | None = None
    nationality: str
    native_language: str
    preferred_languages: list[str] = TableField(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # An interpreter needed (its language, and the dialect as the client names it); the integration
    # language the client chose (fi | sv). From the registration, or recorded by staff.
    interpreter_language: str | None = None
    interpreter_dialect: str | None = None
    integration_language: str | None = None
    email: str | None = None
    phone: str | None = None
    household_id: str | None = TableField(default=None, index=True)
    residence_basis: str
    jobseeker: bool = False
    lead: str
    eligible: bool
    eligibility_reason: str
    # Who is owed an assessment (identity.decide_admission, decide_by_staff): the target group
    # (None: none, or not decided yet), the reason code, and a staff decision's words and author.
    target_group: str | None = None
    admission_reason: str | None = None  # None on clients recorded before target groups
    target_group_decision: str | None = None  # the staff decision's reason, as they wrote it
    target_group_decided_by: str | None = None
    target_group_decided_at: datetime | None = TableField(default=None, sa_type=UtcDateTime)
    # A staff decision on who leads (identity.decide_lead_by_staff), with its reason and author.
    lead_decision: str | None = None
    lead_decided_by: str | None = None
    lead_decided_at: datetime | None = TableField(default=None, sa_type=UtcDateTime)
    # The groups the projects reach (shared/client_groups.py; `young_people` is worked out, never
    # kept): None on clients recorded before them. A staff decision's reason, author and time.
    client_groups: list[str] | None = TableField(default=None, sa_column=Column(JSON, nullable=True))
    guardian: dict[str, Any] | None = TableField(default=None, sa_column=Column(JSON, nullable=True))  # Guardian's fields
    client_groups_decision: str | None = None
    client_groups_decided_by: str | None = None
    client_groups_decided_at: datetime | None = TableField(default=None, sa_type=UtcDateTime)
    registered_on: date
    first_permit_or_registration_on: date | None = None  # unknown when another authority asked for an assessment
    created_at: datetime = TableField(sa_column=utc_column())


class ClientCase(SQLModel, table=True):
    __tablename__ = "client_case"

    id: UUID = TableField(primary_key=True)
    client_id: UUID = TableField(foreign_key="client.id", index=True)
    municipality_code: str = TableField(index=True)
    stage: str
    status: str
    next_deadline_kind: str | None = None
    next_deadline_on: date | None = None
    # The policy version a triage_decision deadline came from (`kotopolku policy diff` shows it;
    # None: set before versions were kept). The statutory deadlines name theirs in their workflows.
    next_deadline_policy_version: str | None = None
    # Every open deadline (CONTRACT §5), as [{"kind": …, "due_on": "YYYY-MM-DD"}]; next_deadline is the nearest.
    deadlines: list[dict] = TableField(default_factory=empty_list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    assignee_sub: str | None = None  # the caseworker who has the case (the token's `sub`)
    assignee_name: str | None = None
    opened_on: date
    workflow_id: str | None = None
    updated_at: datetime = TableField(sa_column=utc_column())




# Every move of a case, (stage, status) → (stage, status), for changes asked for without a fact:
# only activity attempts scheduled by workers older than shared.lifecycle (intake's own changes
# report facts too), checked against the lifecycle table's moves and nothing else. Retire this set
# (and CaseChange without a fact) once a release with facts has run: no attempt from before it can
# still be retried then.
CASE_TRANSITIONS: set[tuple[tuple[Stage, CaseStatus], tuple[Stage, CaseStatus]]] = lifecycle.moves()


class ReviewPerson(BaseModel):
    """A person as staff compare them with another (a notice's recruit, a client)."""

    given_names: str
    family_name: str
    birth_date: date
    nationality: str


class StaffReview(SQLModel):
    """The columns of every question intake puts before staff (a possible duplicate client, a
    possible notice match): whose staff decide it, about which client, how alike the people are
    (identity.match_people: exact | partial), and the decision, by whom and when."""

    id: UUID = TableField(primary_key=True)
    municipality_code: str = TableField(index=True)
    client_id: UUID = TableField(foreign_key="client.id", index=True)
    similarity: str
    status: str = TableField(index=True)
    # The UTC type by itself, not utc_column(): a Column object can belong to one table only.
    created_at: datetime = TableField(sa_type=UtcDateTime)
    resolved_at: datetime | None = TableField(default=None, sa_type=UtcDateTime)
    resolved_by: str | None = None
