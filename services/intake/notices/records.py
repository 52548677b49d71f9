"""What a recruitment notice's workflow starts from, keeps and ends with. Plain pydantic models, no
tables: the workflow imports this module passed through the sandbox, so the models are built once
per process instead of once per workflow run."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class NoticeInput(BaseModel):
    notice_id: UUID
    municipality_code: str  # the destination: its caseworkers are told
    remind_at: datetime  # policy: notice_reminder_days before the expected arrival
    expire_at: datetime  # policy: notice_grace_days after it, when nobody has arrived
    details: dict  # what the notifications say: employer, job, recruit, arrival, family, preparations


class NoticeOutcome(BaseModel):
    """How a notice ended, as the database has it."""

    status: str  # arrived | expired | withdrawn
    client_id: UUID | None = None
    case_id: UUID | None = None


class NoticeState(BaseModel):
    status: str = "received"
    reminded: bool = False
    arrived_client_id: UUID | None = None
