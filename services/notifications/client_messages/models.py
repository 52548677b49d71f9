"""The messages to clients, one row per message and channel, and the staff API's schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field as SchemaField
from sqlmodel import Field, SQLModel

from shared.db import utc_column

Channel = Literal["sms", "email"]


class ClientMessage(SQLModel, table=True):
    """A message to a client: recorded with the event that caused it, sent after the commit.
    `state`: pending → sent, or failed after its attempts; refused (the client refused the channel
    before it left) or not_sent (no channel: staff must reach the client another way)."""

    __tablename__ = "client_message"

    id: UUID = Field(primary_key=True)  # from the event's id and the channel: a redelivery adds nothing
    case_id: UUID = Field(index=True)
    client_id: UUID
    municipality_code: str = Field(index=True)
    kind: str
    channel: str  # sms | email | none
    language: str
    interpreter_needed: bool = False
    to: str | None = None
    subject: str | None = None
    text: str
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class ClientChannels(BaseModel):
    """The channels the client refused: they get no message on them."""

    refused: list[Channel] = SchemaField(default_factory=list, max_length=2)


class ClientChannelsRead(ClientChannels):
    sms: bool  # Kotopolku has a phone number for the client
    email: bool  # … an e-mail address


class ClientMessageRead(BaseModel):
    """A message to the client as staff see it beside the case's timeline: what and how, never
    its text."""

    at: datetime  # sent, else recorded
    reason: str  # client_message.<kind>, or what staff must act on (.interpreter_needed, .not_sent, .failed, .refused)
    kind: str
    channel: str  # sms | email | none (no channel the client accepts)
    language: str
    state: str  # pending | sent | failed | refused | not_sent
    interpreter_needed: bool  # no text in the client's languages: an interpreter or another channel is needed
