"""Admins' view of the workflow commands Temporal refused (shared/workflow_commands.py), and their
replay once the cause is fixed, for every running service that sends workflow commands."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from shared.auth import StaffUser, require_role
from shared.i18n import all_languages
from shared.refusals import NotFound
from shared.service import ServiceContext
from shared.workflow_commands import given_up, replay_given_up

router = APIRouter(prefix="/api/v1/admin", tags=["workflow commands (admins)"])

Admin = Annotated[StaffUser, require_role("admin")]


class GivenUpCommand(BaseModel):
    service: str
    id: int
    kind: str
    workflow_id: str
    workflow_type: str | None
    signal: str | None
    created_at: datetime
    given_up_at: datetime
    error: str  # Temporal's answer, as it gave it
    reason: dict[str, str]  # for a person: fi, sv, en


class Replay(BaseModel):
    service: str
    ids: list[int] | None = None  # none: every command of the service given up


def _senders(request: Request) -> dict[str, ServiceContext]:
    """The running services with a workflow_command table (the runner names them)."""
    names = getattr(request.app.state, "workflow_command_services", ())
    return {name: ctx for name, ctx in request.app.state.contexts.items() if name in names}


def _reason(kind: str, workflow_id: str, error: str) -> dict[str, str]:
    return all_languages(f"workflow_command_given_up.{kind}", workflow_id=workflow_id, error=error)


@router.get("/workflow-commands", response_model=list[GivenUpCommand])
async def list_given_up_workflow_commands(user: Admin, request: Request) -> list[dict[str, Any]]:
    """Workflow starts and signals Temporal definitely refused: they wait for a replay, and each
    workflow's later commands wait behind them."""
    listed = []
    for name, ctx in _senders(request).items():
        for row in await given_up(ctx.db):
            listed.append({
                "service": name, "id": row.id, "kind": row.kind, "workflow_id": row.workflow_id, "workflow_type": row.workflow_type,
                "signal": row.signal, "created_at": row.created_at, "given_up_at": row.given_up_at, "error": row.last_error or "",
                "reason": _reason(row.kind, row.workflow_id, row.last_error or ""),
            })
    return listed


@router.post("/workflow-commands/replay")
async def replay_workflow_commands(replay: Replay, user: Admin, request: Request) -> dict[str, int]:
    """Send a service's given-up commands (all, or those of `ids`) again, in their places."""
    senders = _senders(request)
    if replay.service not in senders:
        raise NotFound("workflow_commands_service_not_here", service=replay.service)
    return {"replayed": await replay_given_up(senders[replay.service].db, replay.ids)}
