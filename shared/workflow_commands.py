"""Workflow starts and signals leave after the commit, like events.

A state change that must start or tell a Temporal workflow writes a `workflow_command` row in the
same transaction (`start_workflow`, `signal_workflow`); the `WorkflowCommandRelay` sends the rows
to Temporal once committed, in the order they were written, and marks them sent. So:
- a rolled-back transaction leaves no workflow behind (nothing was sent);
- Temporal being away delays the start or the signal, it does not fail the request or the event
  that caused it (the row waits and is sent when Temporal answers again);
- a crash between the commit and the send sends again: starts are idempotent by workflow id
  (an existing run is used), and the workflows' signal handlers tolerate a repeat.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from shared import metrics
from shared.clock import now
from shared.db import Database, utc_column
from shared.messaging import Relay, wake_relays_after_commit

log = structlog.get_logger(__name__)

START = "start"
SIGNAL = "signal"

# Temporal can't be reached: the row waits, without counting as a failed attempt.
_UNREACHABLE = {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED}
# After this many refusals of another kind (a bug, a wrong name), a row stops blocking the ones
# behind it and is left for an operator, with its error.
MAX_ATTEMPTS = 20


class WorkflowCommand(SQLModel, table=True):
    __tablename__ = "workflow_command"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # start | signal
    workflow_id: str = Field(index=True)
    workflow_type: str | None = None  # start: the workflow's registered name
    task_queue: str | None = None  # start
    signal: str | None = None  # signal: its name
    arg: Any = Field(default=None, sa_column=Column(JSON, nullable=True))  # JSON; None = no argument
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    attempts: int = 0
    last_error: str | None = None


def _json(arg: Any) -> Any:
    """The argument as JSON (models, UUIDs, dates…); Temporal's converter reads it back by the
    workflow's type hints."""
    return to_jsonable_python(arg)


def start_workflow(session: AsyncSession, workflow_type: str, arg: BaseModel | dict, *, id: str, task_queue: str) -> None:
    """Start the workflow (or use the one running under that id) once the transaction commits."""
    session.add(
        WorkflowCommand(kind=START, workflow_id=id, workflow_type=workflow_type, task_queue=task_queue, arg=_json(arg), created_at=now())
    )
    wake_relays_after_commit(session)


def signal_workflow(session: AsyncSession, workflow_id: str, signal: str, arg: BaseModel | dict | str | None = None) -> None:
    """Signal the workflow once the transaction commits; a workflow that has ended is not told."""
    session.add(WorkflowCommand(kind=SIGNAL, workflow_id=workflow_id, signal=signal, arg=_json(arg), created_at=now()))
    wake_relays_after_commit(session)


class WorkflowCommandRelay(Relay):
    """Sends a service's committed workflow commands to Temporal, oldest first."""

    table = WorkflowCommand
    sent_at = "sent_at"
    lock_name = "workflow-commands"
    what = "workflow commands"

    def __init__(self, database: Database, temporal: Client, **settings) -> None:  # settings: Relay's
        super().__init__(database, **settings)
        self.temporal = temporal

    async def run(self) -> None:
        await self.relay(self.send_pending)

    async def send_pending(self) -> int:
        """Send one batch; raises (leaving the rest for later) when Temporal can't be reached."""
        async with self.database.session() as session:
            rows = await self.take_batch(session, WorkflowCommand.sent_at.is_(None), WorkflowCommand.attempts < MAX_ATTEMPTS)
            if rows is None:
                return 0  # another relay of this service is sending: a start never overtakes its signals
            try:
                for row in rows:
                    await self._send(row)
            finally:
                await session.commit()  # what was sent stays sent, even if a later row failed
            await self.forget_sent(session, len(rows))
            return len(rows)

    async def _send(self, row: WorkflowCommand) -> None:
        try:
            if row.kind == START:
                await self.temporal.start_workflow(
                    row.workflow_type,
                    row.arg,
                    id=row.workflow_id,
                    task_queue=row.task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                )
            else:
                handle = self.temporal.get_workflow_handle(row.workflow_id)
                await (handle.signal(row.signal) if row.arg is None else handle.signal(row.signal, row.arg))
        except RPCError as error:
            if error.status in _UNREACHABLE:
                raise
            if row.kind == SIGNAL and error.status == RPCStatusCode.NOT_FOUND:
                # The workflow has ended: it has nothing left to learn.
                log.info("workflow to signal has ended", workflow_id=row.workflow_id, signal=row.signal)
            else:
                row.attempts += 1
                row.last_error = f"{error.status.name if error.status else 'error'}: {error.message}"[:500]
                log.error("workflow command refused", workflow_id=row.workflow_id, kind=row.kind, error=row.last_error)
                return
        row.sent_at = now()
        metrics.workflow_commands_sent.labels(self.database.service, row.kind).inc()
