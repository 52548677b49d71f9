"""Matching a notice to a registered resident: the staff review queue, and what a match puts on the case."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import UniqueConstraint
from sqlmodel import Field as TableField

from services.intake.employers.models import EmployerSummary
from services.intake.models import ReviewPerson, StaffReview, Strict
from services.intake.notices.matching.records import NoticeMatch
from services.intake.notices.models import FamilyFields, NoticeStatus
from shared.db import utc_column

AUTOMATIC = "automatic"  # matched_by / resolved_by when no person decided


class ReviewStatus(StrEnum):
    open = "open"
    matched = "matched"  # staff chose this notice for this client
    rejected = "rejected"  # staff said they are different people
    superseded = "superseded"  # the notice or the client was matched otherwise, or the notice ended


class ReviewDecision(Strict):
    decision: Literal["match", "reject"]




class MatchReviewRead(BaseModel):
    id: UUID
    municipality_code: str
    status: ReviewStatus
    similarity: str  # exact | partial
    reason: str  # several_candidates | partial_match | registered_before_notice
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




class MatchReview(StaffReview, table=True):
    """A possible (notice, client) match that a person must decide: never a guess. Status: a ReviewStatus."""

    __tablename__ = "match_review"
    __table_args__ = (UniqueConstraint("notice_id", "client_id"),)

    notice_id: UUID = TableField(foreign_key="recruitment_notice.id", index=True)
    reason: str  # several_candidates | partial_match | registered_before_notice


class CaseEmploymentRead(BaseModel):
    case_id: UUID
    client_id: UUID
    municipality_code: str  # the case's
    notice_id: UUID
    employer: EmployerSummary
    job_title: str
    start_date: date
    workplace_municipality_code: str
    expected_arrival_on: date
    family: FamilyFields
    matched_at: datetime
    matched_by: str


class CaseEmployment(NoticeMatch, table=True):
    """What the employer told about the job and the family (what the client's path was told), on
    the case of the client it matched."""

    __tablename__ = "case_employment"

    case_id: UUID = TableField(foreign_key="client_case.id", primary_key=True)
    client_id: UUID = TableField(foreign_key="client.id", unique=True)
    employer_business_id: str
    matched_at: datetime = TableField(sa_column=utc_column())
    matched_by: str  # "automatic", or the staff member who resolved a review
