"""Possible duplicate clients: flagged for staff, never merged silently."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy import UniqueConstraint
from sqlmodel import Field as TableField

from services.intake.models import ReviewPerson, StaffReview, Strict


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




class DuplicateReview(StaffReview, table=True):
    """Two clients of one municipality who may be the same person (same birth date, names and
    nationality alike, no shared identity code). Staff decide; nothing is merged silently.
    `client_id` is the one registered later; status: open | same_person | different_people."""

    __tablename__ = "duplicate_review"
    __table_args__ = (UniqueConstraint("client_id", "earlier_client_id"),)

    earlier_client_id: UUID = TableField(foreign_key="client.id", index=True)
