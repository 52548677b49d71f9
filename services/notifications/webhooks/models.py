"""Webhook subscriptions and their deliveries, the API's schemas, and the operator's settings."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field as SchemaField, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import utc_column

EVENT_TYPE = re.compile(r"^fi\.kotopolku\.[a-z0-9_]+(\.[a-z0-9_]+)+\.v[0-9]+$")


class WebhookSettings(BaseSettings):
    """`KOTOPOLKU_WEBHOOK_*`: what the operator decides about webhook delivery."""

    model_config = SettingsConfigDict(env_prefix="KOTOPOLKU_WEBHOOK_", extra="ignore")

    # Targets resolving to loopback, link-local or private addresses are refused (no SSRF) unless
    # the operator allows them, e.g. for a case system inside the municipality's own network.
    allow_private_targets: bool = False
    # A receiver failing this long (no success in between) has its subscription disabled.
    disable_after_seconds: float = SchemaField(24 * 3600, gt=0)
    # Retries wait first_retry_seconds, then twice as long each time, at most max_retry_seconds.
    first_retry_seconds: float = SchemaField(10, gt=0)
    max_retry_seconds: float = SchemaField(3600, gt=0)
    timeout_seconds: float = SchemaField(15, gt=0, le=60)
    # After a rotation, deliveries are signed with both the new and the old secret this long.
    rotation_grace_seconds: float = SchemaField(24 * 3600, ge=0)


def load_webhook_settings() -> WebhookSettings:
    """The settings from the environment; a bad value fails at start-up naming its variable."""
    from shared.settings import ConfigurationError

    try:
        return WebhookSettings()
    except ValidationError as error:
        problems = [f"KOTOPOLKU_WEBHOOK_{'.'.join(map(str, item['loc'])).upper()}: {item['msg']}" for item in error.errors()]
        raise ConfigurationError("; ".join(problems)) from None


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    id: UUID = Field(primary_key=True)
    url: str
    event_types: list[str] = Field(sa_column=Column(JSON, nullable=False))
    municipalities: list[str] = Field(sa_column=Column(JSON, nullable=False))
    # Who created it and the municipalities of their token: it never gets events beyond them.
    created_by: str
    creator_municipalities: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=utc_column())
    # The secret, sealed with the data key (shown once, at creation or rotation).
    secret_sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    previous_secret_sealed: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    previous_secret_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    enabled: bool = True
    failing_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class WebhookDelivery(SQLModel, table=True):
    """One event for one subscription: recorded in the consumer's transaction, sent after it."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("subscription_id", "event_source", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)  # the order events arrived in
    webhook_id: str = Field(unique=True, index=True)  # `webhook-id`: the same on every attempt (a unique index, as migrated)
    subscription_id: UUID = Field(index=True)
    event_source: str
    event_id: str
    event_type: str
    municipality_code: str
    # Deliveries with the same key (a case's events) go out one after another, in order.
    ordering_key: str = Field(index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default="pending", index=True)  # pending | delivered
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=utc_column(index=True))
    created_at: datetime = Field(sa_column=utc_column())
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_status: int | None = None  # the receiver's HTTP status of the last attempt
    last_error: str | None = None


# --- API schemas -------------------------------------------------------------------------------


class WebhookCreate(BaseModel):
    url: str = SchemaField(max_length=2000, examples=["https://cases.example.fi/kotopolku"])
    event_types: list[str] = SchemaField(min_length=1, max_length=100, examples=[["fi.kotopolku.case.updated.v1"]])
    municipalities: list[str] = SchemaField(min_length=1, max_length=400, examples=[["109"]])

    @field_validator("event_types")
    @classmethod
    def _event_types(cls, value: list[str]) -> list[str]:
        for event_type in value:
            if not EVENT_TYPE.match(event_type):
                raise ValueError(f"{event_type!r} is not a Kotopolku event type (fi.kotopolku.<thing>.<what>.v1)")
        return sorted(set(value))

    @field_validator("municipalities")
    @classmethod
    def _municipalities(cls, value: list[str]) -> list[str]:
        from shared import municipalities

        for code in value:
            if municipalities.get(code) is None:
                raise ValueError(f"{code!r} is not a municipality code")
        return sorted(set(value))


class WebhookCreated(BaseModel):
    id: UUID
    secret: str  # whsec_…: shown only now


class WebhookRead(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    municipalities: list[str]
    created_by: str
    created_at: datetime
    enabled: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    previous_secret_until: datetime | None  # while set, deliveries carry a signature with the old secret too


class DeliveryFilters(BaseModel):
    state: Literal["pending", "delivered"] | None = None


class DeliveryRead(BaseModel):
    id: int
    webhook_id: str
    subscription_id: UUID
    event_id: str
    event_type: str
    municipality_code: str
    state: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None


class ReplayRequest(BaseModel):
    """Send deliveries again (and enable the subscription): these ids, or every one since a time."""

    delivery_ids: list[Annotated[int, SchemaField(ge=1, le=2**31 - 1)]] | None = SchemaField(default=None, max_length=1000)
    since: AwareDatetime | None = None


class ReplayResult(BaseModel):
    replayed: int
