"""Closing a client's path (CONTRACT §5 `closure`): the payload of the path workflow's `close`
update, shared by the route and the workflow; it answers, as every staff command on a case does,
with `shared.workflow_payloads.CommandResult`. Pydantic only: the workflow sandbox imports it."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import ClosureReason

CLOSE = "close"  # update of the `ClientPath` workflow (`client-<client_id>`)


class CloseCase(BaseModel):
    """CONTRACT §5: `{"reason": …}`; notes are the project's own."""

    model_config = ConfigDict(extra="forbid")

    reason: ClosureReason
    notes: str | None = Field(default=None, max_length=2000)


class Closure(BaseModel):
    """The update's argument: the closure, and who gave it (None: the system, e.g. a plan's time limit)."""

    closure: CloseCase
    today: date
    actor_sub: str | None = None
    actor_name: str | None = None
