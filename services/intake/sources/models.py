"""Producing systems: who may publish on kotopolku.inbound, and for which municipalities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field as TableField, SQLModel

from shared.db import empty_list, utc_column

# The broker login a source added without --broker-user publishes with: RabbitMQ's default user,
# which RabbitMQ itself lets connect from the same machine only (the embedded development setup).
DEFAULT_BROKER_USER = "guest"


class ProducingSource(SQLModel, table=True):
    """A municipal system allowed to publish on kotopolku.inbound, and for which municipalities."""

    __tablename__ = "producing_source"

    source: str = TableField(primary_key=True)
    name: str
    municipalities: list[str] = TableField(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    # The RabbitMQ user this system publishes as: RabbitMQ refuses a message whose AMQP `user_id`
    # is not the connection's user, so this (not the event's `source`) says who sent a message.
    broker_user: str = DEFAULT_BROKER_USER
    created_at: datetime = TableField(sa_column=utc_column())

    def may_publish_for(self, municipality_code: str) -> bool:
        return municipality_code in self.municipalities
