"""What a match tells the client's path (its `notice_matched` signal) and keeps on the case: the
table `CaseEmployment` (models.py) inherits these fields, the SQLModel way, so a field and its
column are declared once. No table here: the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from shared.db import empty_list


class NoticeMatch(SQLModel):
    """What the employer's recruitment notice tells about a client's job and family."""

    notice_id: UUID = Field(foreign_key="recruitment_notice.id", unique=True)
    employer_name: str
    job_title: str
    start_date: date
    workplace_municipality_code: str
    expected_arrival_on: date
    family_adults: int
    children_birth_years: list[int] = Field(default_factory=empty_list, sa_type=JSON, nullable=False)
