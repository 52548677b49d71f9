"""Employers that may submit recruitment notices, and how they are shown."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel
from sqlmodel import Field as TableField, SQLModel

from shared.db import utc_column


class EmployerSummary(BaseModel):
    business_id: str
    name: str


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
