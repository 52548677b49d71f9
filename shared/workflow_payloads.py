"""The pieces the workflows that take staff commands (the assessment, the plan, the client's path)
carry in their payloads: a staff body that refuses unknown fields, who gave a command, who did what
when, and what an accepted command answers. Pydantic only: the workflow sandbox imports this module."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A staff command's body: a field it does not know is refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


class Actor(BaseModel):
    """Who gave the command (from the staff token)."""

    sub: str
    name: str = ""


class Action(BaseModel):
    """Who did what, when (kept on the workflow's record)."""

    action: str
    sub: str | None = None
    name: str | None = None
    at: datetime


class CommandResult(BaseModel):
    """What an accepted update answers: where the case now is (the route then returns the case as
    the case API shows it once its projection has `changed_at`)."""

    case_id: UUID
    status: str
    changed_at: datetime
