"""A wellbeing services county's staff list: who may be named as the county's participant."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as TableField, SQLModel

from shared.db import utc_column
from shared.text import Printable


class CountyStaffMember(SQLModel, table=True):
    """One of a county's staff, as the identity provider knows them: its `sub` and name. From the
    administrators' list (the provider's group, sent whole), or seen signing in with the
    `wellbeing_county` role of that county."""

    __tablename__ = "county_staff_member"

    county: str = TableField(primary_key=True)  # Finnish name, as in shared/data/municipalities.csv
    sub: str = TableField(primary_key=True)
    name: str
    title: str | None = None
    source: str  # list | sign_in
    updated_at: datetime = TableField(sa_column=utc_column())


class StaffMember(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sub: str = Field(min_length=1, max_length=200, description="as in the staff member's token (the identity provider's `sub`)")
    name: Printable = Field(min_length=1, max_length=200)
    title: Printable | None = Field(default=None, max_length=200, description="e.g. sosiaalityöntekijä")


class StaffList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    staff: list[StaffMember] = Field(max_length=2000)
