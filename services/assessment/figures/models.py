"""The figures' schemas: one row of plain data per assessment in, one row of figures per group out."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Grouping(StrEnum):
    municipality = "municipality"
    residence_basis = "residence_basis"
    gender = "gender"
    native_language = "native_language"


UNKNOWN = "unknown"  # the group of an assessment whose grouping value was not reported


class AssessmentFacts(BaseModel):
    """What the figures need of one assessment (no names, no identity code)."""

    model_config = ConfigDict(frozen=True)

    municipality_code: str
    became_client_on: date
    due_on: date
    started_on: date | None = None
    completed_on: date | None = None
    residence_basis: str | None = None
    gender: str | None = None
    native_language: str | None = None


class GroupFigures(BaseModel):
    group: str = Field(description="the group's code (a municipality code, residence basis, gender or language code; `unknown` when not reported); `all` for the total")
    became_clients: int = Field(description="clients who became clients in the period")
    started: int = Field(description="assessments started in the period")
    completed: int = Field(description="assessments completed in the period")
    median_days_to_start: float | None = Field(description="of the assessments started in the period: days from becoming a client to the start, median")
    average_days_to_start: float | None = Field(description="the same, average (one decimal)")
    median_days_to_completion: float | None = Field(description="of the assessments completed in the period: days from becoming a client to completion, median")
    average_days_to_completion: float | None = Field(description="the same, average (one decimal)")
    started_within_deadline: int = Field(description="of the assessments started in the period: how many started on or before their deadline")
    share_started_within_deadline: float | None = Field(description="started_within_deadline / started, 0–1 (three decimals); null when none started")


class AssessmentFigures(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    period_from: date = Field(alias="from")
    period_to: date = Field(alias="to")
    by: Grouping
    groups: list[GroupFigures]
    total: GroupFigures


COLUMNS = tuple(name for name in GroupFigures.model_fields)
