"""The planning service's records (the integration plan: measures, providers, reviews, follow-up).

For now: the providers' reports on measures, as intake hands them over; the plan itself follows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import utc_column


class ServiceReportRecord(SQLModel, table=True):
    __tablename__ = "service_report"
    __table_args__ = (UniqueConstraint("reported_by", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: UUID = Field(index=True)
    case_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    service_code: str
    status: str
    on: date
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    reported_by: str
    event_id: str
    received_at: datetime = Field(sa_column=utc_column())
