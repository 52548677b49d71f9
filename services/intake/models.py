"""Intake's records (clients and their cases) and the schemas of what it takes in."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import JSON, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field as TableField, SQLModel

from shared.db import utc_column

from services.intake.identity import validate_identity_code
from shared import municipalities
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


class Person(Strict):
    given_names: str = Field(min_length=1, max_length=200)
    family_name: str = Field(min_length=1, max_length=200)
    birth_date: date
    sex: Literal["female", "male", "other", "unknown"] | None = None
    personal_identity_code: str | None = None
    nationality: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
    native_language: str = Field(description="ISO 639-1, else ISO 639-3")
    preferred_languages: list[str] = Field(default_factory=list, max_length=10)
    contact: Contact | None = None

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
    external_ref: str | None = Field(None, min_length=1, max_length=200)

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


class ResidentRegistered(Strict):
    person: Person
    external_ref: str = Field(min_length=1, max_length=200)
    municipality_code: str
    registered_on: date
    first_permit_or_registration_on: date
    residence_basis: ResidenceBasis
    household_id: str | None = Field(None, max_length=200)
    jobseeker: bool = False

    _municipality = field_validator("municipality_code")(_known_municipality)


class JobseekerRegistered(Strict):
    person_ref: PersonRef
    municipality_code: str
    registered_on: date

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
    requested_by: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)

    _municipality = field_validator("municipality_code")(_known_municipality)

    @model_validator(mode="after")
    def _someone(self) -> "AssessmentRequested":
        if (self.person_ref is None) == (self.person is None):
            raise ValueError("give exactly one of person_ref and person")
        return self


class ServiceReported(Strict):
    person_ref: PersonRef
    service_code: str = Field(min_length=1, max_length=100)
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
    preferred_languages: list[str] = TableField(default_factory=list, sa_column=Column(JSON, nullable=False))
    email: str | None = None
    phone: str | None = None
    household_id: str | None = TableField(default=None, index=True)
    residence_basis: str
    jobseeker: bool = False
    lead: str
    eligible: bool
    eligibility_reason: str
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
    # Every open deadline (CONTRACT §5), as [{"kind": …, "due_on": "YYYY-MM-DD"}]; next_deadline is the nearest.
    deadlines: list[dict] = TableField(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))
    assignee_sub: str | None = None  # the caseworker who has the case (the token's `sub`)
    assignee_name: str | None = None
    opened_on: date
    workflow_id: str | None = None
    updated_at: datetime = TableField(sa_column=utc_column())


class ProducingSource(SQLModel, table=True):
    """A municipal system allowed to publish on kotopolku.inbound, and for which municipalities."""

    __tablename__ = "producing_source"

    source: str = TableField(primary_key=True)
    name: str
    municipalities: list[str] = TableField(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = TableField(sa_column=utc_column())

    def may_publish_for(self, municipality_code: str) -> bool:
        return municipality_code in self.municipalities


# Every allowed move of a case, (stage, status) → (stage, status). Anything else is refused.
S, C = Stage, CaseStatus
CASE_TRANSITIONS: set[tuple[tuple[Stage, CaseStatus], tuple[Stage, CaseStatus]]] = {
    ((S.intake, C.received), (S.assessment, C.awaiting_assessment)),
    ((S.intake, C.received), (S.closed, C.not_eligible)),
    ((S.assessment, C.awaiting_assessment), (S.assessment, C.assessment_overdue)),
    ((S.assessment, C.awaiting_assessment), (S.assessment, C.assessment_in_progress)),
    ((S.assessment, C.awaiting_assessment), (S.assessment, C.assessment_scheduled)),
    ((S.assessment, C.assessment_scheduled), (S.assessment, C.assessment_overdue)),
    ((S.assessment, C.assessment_scheduled), (S.assessment, C.assessment_in_progress)),
    ((S.assessment, C.assessment_overdue), (S.assessment, C.assessment_in_progress)),
    ((S.assessment, C.assessment_in_progress), (S.planning, C.awaiting_plan)),
    ((S.assessment, C.assessment_in_progress), (S.closed, C.plan_not_needed)),
    ((S.assessment, C.assessment_in_progress), (S.closed, C.completed)),
    # A move cancels the assessment where the client lived and re-opens it where they live now.
    ((S.assessment, C.assessment_scheduled), (S.assessment, C.awaiting_assessment)),
    ((S.assessment, C.assessment_overdue), (S.assessment, C.awaiting_assessment)),
    ((S.assessment, C.assessment_in_progress), (S.assessment, C.awaiting_assessment)),
    ((S.planning, C.awaiting_plan), (S.planning, C.plan_overdue)),
    ((S.planning, C.awaiting_plan), (S.follow_up, C.plan_active)),
    ((S.planning, C.plan_overdue), (S.follow_up, C.plan_active)),
    ((S.follow_up, C.plan_active), (S.follow_up, C.review_overdue)),
    ((S.follow_up, C.review_overdue), (S.follow_up, C.plan_active)),
    ((S.follow_up, C.plan_active), (S.closed, C.completed)),
}
del S, C


# --- recruitment notices (CONTRACT.md §2) -------------------------------------------------------
#
# An employer tells the destination municipality, with the recruit's consent, who is coming and
# when, so that services are ready on arrival. The API's input models validate everything (a bad
# body answers 422 naming every bad field); the read models below them only describe what is
# answered, so a stored notice is never re-judged by today's date when it is read.

FINNISH_TIME = ZoneInfo("Europe/Helsinki")
RECRUIT_MIN_AGE, RECRUIT_MAX_AGE = 15, 100
ARRIVAL_AT_MOST_DAYS_AHEAD = 730
START_AT_MOST_DAYS_BEFORE_ARRIVAL = 31
START_AT_MOST_DAYS_AFTER_ARRIVAL = 365
CONSENT_AT_MOST_DAYS_OLD = 730
CHILD_MAX_AGE = 17  # children are minors; adult family members are counted in `adults`


def finnish_today() -> date:
    return datetime.now(FINNISH_TIME).date()


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _printable(value: str) -> str:
    # Control characters and lone surrogates can't be stored (PostgreSQL refuses NUL) nor shown.
    if any(unicodedata.category(character) in ("Cc", "Cs") for character in value):
        raise ValueError("must not contain control characters")
    return value


def _country_code(code: str) -> str:
    if code != "XK" and pycountry.countries.get(alpha_2=code) is None:  # XK: Kosovo, in common use
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _iso_language(code: str) -> str:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        raise ValueError(f"{code!r} is not an ISO 639-1 or ISO 639-3 language code")
    return code


Text = Annotated[str, AfterValidator(_printable), Field(min_length=1, max_length=200)]
EmailAddress = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PhoneNumber = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ]{4,19}$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2"), AfterValidator(_country_code)]
LanguageCode = Annotated[
    str, Field(pattern=r"^[a-z]{2,3}$", description="ISO 639-1, else ISO 639-3, lower case"), AfterValidator(_iso_language)
]
MunicipalityCode = Annotated[str, Field(description="Statistics Finland, 3 digits"), AfterValidator(_known_municipality)]


class NoticeStatus(StrEnum):
    received = "received"
    acknowledged = "acknowledged"  # the destination municipality's staff saw it
    arrived = "arrived"  # matched to a registered resident
    expired = "expired"  # no arrival within the grace period after the expected arrival
    withdrawn = "withdrawn"  # by the employer


OPEN_NOTICE_STATUSES = (NoticeStatus.received, NoticeStatus.acknowledged)

# Every allowed move of a recruitment notice. Anything else is refused (409, saying why).
NOTICE_TRANSITIONS: set[tuple[NoticeStatus, NoticeStatus]] = {
    (NoticeStatus.received, NoticeStatus.acknowledged),
    (NoticeStatus.received, NoticeStatus.arrived),  # the recruit may register before anyone looked
    (NoticeStatus.acknowledged, NoticeStatus.arrived),
    (NoticeStatus.received, NoticeStatus.expired),
    (NoticeStatus.acknowledged, NoticeStatus.expired),
    (NoticeStatus.received, NoticeStatus.withdrawn),
    (NoticeStatus.acknowledged, NoticeStatus.withdrawn),
}


# What a notice holds, as answered (no validation against today's date).


class RecruitFields(Strict):
    given_names: str
    family_name: str
    birth_date: date
    nationality: str
    languages: list[str] = Field(default_factory=list)
    email: str | None = None


class EmploymentFields(Strict):
    job_title: str
    start_date: date
    workplace_municipality_code: str


class FamilyFields(Strict):
    adults: int = 1  # the recruit included
    children_birth_years: list[int] = Field(default_factory=list)


class NoticeContactFields(Strict):
    name: str
    email: str
    phone: str | None = None


class ConsentFields(Strict):
    given: bool
    given_on: date


# What an employer may send (POST /api/v1/recruitment-notices).


class Recruit(RecruitFields):
    given_names: Text
    family_name: Text
    birth_date: date
    nationality: CountryCode
    languages: list[LanguageCode] = Field(default_factory=list, max_length=10)
    email: EmailAddress | None = None

    @field_validator("birth_date")
    @classmethod
    def _adult(cls, value: date) -> date:
        today = finnish_today()
        if value >= today:
            raise ValueError("must be in the past")
        if not RECRUIT_MIN_AGE <= _years_between(value, today) <= RECRUIT_MAX_AGE:
            raise ValueError(f"the recruit must be {RECRUIT_MIN_AGE} to {RECRUIT_MAX_AGE} years old")
        return value


class Employment(EmploymentFields):
    job_title: Text
    start_date: date
    workplace_municipality_code: MunicipalityCode


class Family(FamilyFields):
    adults: int = Field(1, ge=1, le=20)
    children_birth_years: list[Annotated[int, Field(ge=1900, le=2200)]] = Field(default_factory=list, max_length=20)


class NoticeContact(NoticeContactFields):
    name: Text
    email: EmailAddress
    phone: PhoneNumber | None = None


class Consent(ConsentFields):
    given: Annotated[bool, Field(strict=True)]
    given_on: date

    @field_validator("given")
    @classmethod
    def _given(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("the recruit's consent is required: a notice can only be sent with it")
        return value

    @field_validator("given_on")
    @classmethod
    def _recent(cls, value: date) -> date:
        today = finnish_today()
        if value > today:
            raise ValueError("must not be in the future")
        if (today - value).days > CONSENT_AT_MOST_DAYS_OLD:
            raise ValueError(f"must be at most {CONSENT_AT_MOST_DAYS_OLD} days old")
        return value


class NoticeCreate(Strict):
    recruit: Recruit
    employment: Employment
    expected_arrival_on: date
    destination_municipality_code: MunicipalityCode
    family: Family = Field(default_factory=Family)
    contact: NoticeContact
    consent: Consent

    @field_validator("expected_arrival_on")
    @classmethod
    def _arrival_ahead(cls, value: date) -> date:
        today = finnish_today()
        if value < today:
            raise ValueError("must not be in the past")
        if (value - today).days > ARRIVAL_AT_MOST_DAYS_AHEAD:
            raise ValueError(f"must be at most {ARRIVAL_AT_MOST_DAYS_AHEAD} days ahead")
        return value

    @model_validator(mode="after")
    def _dates_agree(self) -> "NoticeCreate":
        """Checks across fields, each reported at the field that is wrong (all of them at once)."""
        arrival, start = self.expected_arrival_on, self.employment.start_date
        problems: list[tuple[tuple, str, Any]] = []  # (location, message, input)
        if (arrival - start).days > START_AT_MOST_DAYS_BEFORE_ARRIVAL:
            message = f"must not be more than {START_AT_MOST_DAYS_BEFORE_ARRIVAL} days before expected_arrival_on"
            problems.append((("employment", "start_date"), message, start))
        if (start - arrival).days > START_AT_MOST_DAYS_AFTER_ARRIVAL:
            message = f"must not be more than {START_AT_MOST_DAYS_AFTER_ARRIVAL} days after expected_arrival_on"
            problems.append((("employment", "start_date"), message, start))
        earliest = arrival.year - CHILD_MAX_AGE
        for index, year in enumerate(self.family.children_birth_years):
            if not earliest <= year <= arrival.year:
                message = f"a child must be born between {earliest} and {arrival.year} (under 18 in the year of arrival)"
                problems.append((("family", "children_birth_years", index), message, year))
        if problems:
            raise ValidationError.from_exception_data(
                type(self).__name__,
                [InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value) for loc, message, value in problems],
            )
        return self


class EmployerSummary(BaseModel):
    business_id: str
    name: str


class NoticeRead(BaseModel):
    """A notice as its employer sees it: what it sent, and the status. Never anything about the
    person the recruit became in the register."""

    id: UUID
    status: NoticeStatus
    created_at: datetime
    updated_at: datetime
    recruit: RecruitFields
    employment: EmploymentFields
    expected_arrival_on: date
    destination_municipality_code: str
    family: FamilyFields
    contact: NoticeContactFields
    consent: ConsentFields


class NoticePage(BaseModel):
    items: list[NoticeRead]
    total: int
    page: int
    page_size: int


class Preparations(BaseModel):
    """What the municipality should have ready on arrival (ages are those reached in the arrival year)."""

    daycare_ages: list[int]  # early childhood education: under 7
    school_ages: list[int]  # basic and upper-secondary education: 7 to 17
    adults: int  # language courses and civic orientation
    housing_advice: bool = True


class StaffNoticeRead(NoticeRead):
    """A notice as the destination municipality's staff see it."""

    employer: EmployerSummary
    preparations: Preparations
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    client_id: UUID | None  # the registered resident, once arrived
    case_id: UUID | None


class StaffNoticePage(BaseModel):
    items: list[StaffNoticeRead]
    total: int
    page: int
    page_size: int


class ReviewStatus(StrEnum):
    open = "open"
    matched = "matched"  # staff chose this notice for this client
    rejected = "rejected"  # staff said they are different people
    superseded = "superseded"  # the notice or the client was matched otherwise, or the notice ended


class ReviewDecision(Strict):
    decision: Literal["match", "reject"]


class ReviewPerson(BaseModel):
    given_names: str
    family_name: str
    birth_date: date
    nationality: str


class MatchReviewRead(BaseModel):
    id: UUID
    municipality_code: str
    status: ReviewStatus
    similarity: str  # exact | partial
    reason: str  # several_candidates | partial_match
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    notice_id: UUID
    notice_status: NoticeStatus
    recruit: ReviewPerson
    employer: EmployerSummary
    expected_arrival_on: date
    client_id: UUID
    case_id: UUID | None
    client: ReviewPerson
    registered_on: date


class MatchReviewPage(BaseModel):
    items: list[MatchReviewRead]
    total: int
    page: int
    page_size: int


class DuplicateDecision(Strict):
    decision: Literal["same_person", "different_people"]


class DuplicateClient(ReviewPerson):
    client_id: UUID
    case_id: UUID
    source: str
    registered_on: date


class DuplicateReviewRead(BaseModel):
    id: UUID
    municipality_code: str
    status: str  # open | same_person | different_people
    similarity: str  # exact | partial
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    client: DuplicateClient  # the one registered later
    earlier_client: DuplicateClient


class DuplicateReviewPage(BaseModel):
    items: list[DuplicateReviewRead]
    total: int
    page: int
    page_size: int


class CaseEmploymentRead(BaseModel):
    case_id: UUID
    client_id: UUID
    notice_id: UUID
    employer: EmployerSummary
    job_title: str
    start_date: date
    workplace_municipality_code: str
    expected_arrival_on: date
    family: FamilyFields
    matched_at: datetime
    matched_by: str


class Employer(SQLModel, table=True):
    """An employer allowed to submit recruitment notices. Only a hash of its API key is kept."""

    __tablename__ = "employer"

    id: UUID = TableField(primary_key=True)
    business_id: str = TableField(unique=True)  # Y-tunnus, validated by its check digit
    name: str
    api_key_hash: str = TableField(unique=True)  # SHA-256 (hex) of the key; the key is shown once
    active: bool = True
    created_at: datetime = TableField(sa_column=utc_column())
    updated_at: datetime = TableField(sa_column=utc_column())


class RecruitmentNotice(SQLModel, table=True):
    __tablename__ = "recruitment_notice"

    id: UUID = TableField(primary_key=True)
    employer_id: UUID = TableField(foreign_key="employer.id", index=True)
    municipality_code: str = TableField(index=True)  # the destination municipality
    status: str = TableField(index=True)
    # The recruit, as columns for matching; `submission` holds the whole body as the employer sent it.
    given_names: str
    family_name: str
    birth_date: date = TableField(index=True)
    nationality: str
    expected_arrival_on: date
    submission: dict[str, Any] = TableField(sa_column=Column(JSON, nullable=False))
    client_id: UUID | None = TableField(default=None, foreign_key="client.id", index=True)  # never shown to the employer
    acknowledged_at: datetime | None = TableField(default=None, sa_column=utc_column(nullable=True))
    acknowledged_by: str | None = None
    created_at: datetime = TableField(sa_column=utc_column())
    updated_at: datetime = TableField(sa_column=utc_column())


class NoticeIdempotencyKey(SQLModel, table=True):
    """The first answer to each (employer, Idempotency-Key), and a hash of the body it answered."""

    __tablename__ = "notice_idempotency_key"

    employer_id: UUID = TableField(foreign_key="employer.id", primary_key=True)
    key: str = TableField(primary_key=True)
    request_hash: str
    notice_id: UUID = TableField(foreign_key="recruitment_notice.id")
    response: dict[str, Any] = TableField(sa_column=Column(JSON, nullable=False))
    created_at: datetime = TableField(sa_column=utc_column())


class MatchReview(SQLModel, table=True):
    """A possible (notice, client) match that a person must decide: never a guess."""

    __tablename__ = "match_review"
    __table_args__ = (UniqueConstraint("notice_id", "client_id"),)

    id: UUID = TableField(primary_key=True)
    municipality_code: str = TableField(index=True)
    notice_id: UUID = TableField(foreign_key="recruitment_notice.id", index=True)
    client_id: UUID = TableField(foreign_key="client.id", index=True)
    similarity: str  # exact | partial (identity.match_people)
    reason: str  # several_candidates | partial_match
    status: str = TableField(index=True)
    created_at: datetime = TableField(sa_column=utc_column())
    resolved_at: datetime | None = TableField(default=None, sa_column=utc_column(nullable=True))
    resolved_by: str | None = None


class DuplicateReview(SQLModel, table=True):
    """Two clients of one municipality who may be the same person (same birth date, names and
    nationality alike, no shared identity code). Staff decide; nothing is merged silently."""

    __tablename__ = "duplicate_review"
    __table_args__ = (UniqueConstraint("client_id", "earlier_client_id"),)

    id: UUID = TableField(primary_key=True)
    municipality_code: str = TableField(index=True)
    client_id: UUID = TableField(foreign_key="client.id", index=True)
    earlier_client_id: UUID = TableField(foreign_key="client.id", index=True)
    similarity: str  # exact | partial (identity.match_people)
    status: str = TableField(index=True)
    created_at: datetime = TableField(sa_column=utc_column())
    resolved_at: datetime | None = TableField(default=None, sa_column=utc_column(nullable=True))
    resolved_by: str | None = None


class CaseEmployment(SQLModel, table=True):
    """What the employer told about the job and the family, on the case of the client it matched."""

    __tablename__ = "case_employment"

    case_id: UUID = TableField(foreign_key="client_case.id", primary_key=True)
    client_id: UUID = TableField(foreign_key="client.id", unique=True)
    notice_id: UUID = TableField(foreign_key="recruitment_notice.id", unique=True)
    employer_business_id: str
    employer_name: str
    job_title: str
    start_date: date
    workplace_municipality_code: str
    expected_arrival_on: date
    family_adults: int
    children_birth_years: list[int] = TableField(default_factory=list, sa_column=Column(JSON, nullable=False))
    matched_at: datetime = TableField(sa_column=utc_column())
    matched_by: str  # "automatic", or the staff member who resolved a review
