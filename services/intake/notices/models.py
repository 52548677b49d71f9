"""Recruitment notices (CONTRACT.md §2): what an employer may send, what is answered, the tables.

An employer tells the destination municipality, with the recruit's consent, who is coming and
when, so that services are ready on arrival. The input models validate everything (a bad body
answers 422 naming every bad field); the read models only describe what is answered, so a stored
notice is never re-judged by today's date when it is read. Status moves: notices/state.py.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import pycountry
from shared.text import Printable
from pydantic import AfterValidator, BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from sqlalchemy import JSON, Column
from sqlmodel import Field as TableField, SQLModel

from services.intake.employers.models import EmployerSummary
from services.intake.models import Strict, _known_municipality
from shared.clock import today as finnish_today
from shared.db import empty_list, utc_column


RECRUIT_MIN_AGE, RECRUIT_MAX_AGE = 15, 100
ARRIVAL_AT_MOST_DAYS_AHEAD = 730
START_AT_MOST_DAYS_BEFORE_ARRIVAL = 31
START_AT_MOST_DAYS_AFTER_ARRIVAL = 365
CONSENT_AT_MOST_DAYS_OLD = 730
CHILD_MAX_AGE = 17  # children are minors; adult family members are counted in `adults`


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))


def _country_code(code: str) -> str:
    if code != "XK" and pycountry.countries.get(alpha_2=code) is None:  # XK: Kosovo, in common use
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _iso_language(code: str) -> str:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        raise ValueError(f"{code!r} is not an ISO 639-1 or ISO 639-3 language code")
    return code


Text = Annotated[Printable, Field(min_length=1, max_length=200)]
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
    children_birth_years: list[int] = Field(default_factory=empty_list)


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
