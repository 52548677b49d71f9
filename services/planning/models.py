"""The planning service's records: the integration plan (its measures, reviews and extensions, as
the plan workflow keeps them) and the providers' reports on measures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import utc_column
from shared.targets import TargetFields


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


class IntegrationPlan(SQLModel, table=True):
    """One client's integration plan, written whole by its workflow (`plan-<case_id>`) after every
    change: the columns lists and figures filter by, and the whole plan in `record`."""

    __tablename__ = "integration_plan"

    id: UUID = Field(primary_key=True)
    case_id: UUID = Field(index=True, unique=True)
    client_id: UUID = Field(index=True)
    municipality_code: str = Field(index=True)
    status: str  # awaiting | active | expired | ended
    type: str | None = None
    plan_on: date | None = None
    ends_on: date | None = None
    end_reason: str | None = None
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(sa_column=utc_column())


class PlanFigureTarget(TargetFields, table=True):
    """A coordinator's target for a plan or measure figure of a municipality and period (shared/targets.py)."""

    __tablename__ = "plan_figure_target"
    __table_args__ = (UniqueConstraint("municipality_code", "figure", "period_from", "period_to", name="uq_plan_figure_target"),)
