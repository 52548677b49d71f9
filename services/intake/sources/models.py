"""Producing systems: who may publish on kotopolku.inbound, and for which municipalities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field as TableField, SQLModel

from shared.db import utc_column


class ProducingSource(SQLModel, table=True):
    """A municipal system allowed to publish on kotopolku.inbound, and for which municipalities."""

    __tablename__ = "producing_source"

    source: str = TableField(primary_key=True)
    name: str
    municipalities: list[str] = TableField(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = TableField(sa_column=utc_column())

    def may_publish_for(self, municipality_code: str) -> bool:
        return municipality_code in self.municipalities
