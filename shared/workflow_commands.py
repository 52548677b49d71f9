"""Workflow starts and signals leave after the commit, like events.

A state change that must start or tell a Temporal workflow writes a `workflow_command` row in the
same transaction (`start_workflow`, `signal_workflow`); the `WorkflowCommandRelay` sends the rows
to Temporal once committed and marks them sent, claiming and marking like the outbox relay
(shared/relays.py: no transaction held while Temporal answers; several relays share the work).
So:
- a rolled-back transaction leaves no workflow behind (nothing was sent);
- each workflow's commands leave in the order they were written (their ordering key is the
  workflow id): a signal is never sent, nor given up, while its workflow's start waits;
- Temporal being away or busy delays the commands, it does not fail the request or the event that
  caused it: every error that is not a definite refusal (`UNAVAILABLE`, `RESOURCE_EXHAUSTED`,
  `DEADLINE_EXCEEDED`, `INTERNAL`, an unknown one…) stops the batch, the relay pauses (growing
  pauses) and sends the same rows again; that counts no attempt;
- a command Temporal definitely refuses (`REFUSALS` below: a malformed request, no permission, a
  call the server does not know, an argument that cannot be encoded) is **given up**: it keeps its
  reason, is counted (`kotopolku_workflow_commands_given_up`), listed to admins
  (`GET /api/v1/admin/workflow-commands`, `kotopolku workflow-commands list`) and sent again by a
  replay once the cause is fixed (`POST /api/v1/admin/workflow-commands/replay`,
  `kotopolku workflow-commands replay`). Until then the later commands of the same workflow wait
  behind it; other workflows' commands go on. (Temporal does not check a workflow type when it
  starts a workflow: an unknown type is not refused here, its workflow waits for a worker.)
- a crash between the send and the mark sends again: starts are idempotent by workflow id (an
  existing run is used), and the workflows' signal handlers tolerate a repeat; a signal to a
  workflow that has ended (`NOT_FOUND`, its start having gone first) has nothing left to tell.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import structlog
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import JSON, Column, Row, exists, update
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from shared import metrics
from shared.clock import now
from shared.db import Database, utc_column
from shared.messaging import WRITTEN_IN_BATCHES, describe_error, wake_relays_after_commit
from shared.relays import SEND_TIME_LIMIT, Relay, lanes
from shared.tracing import SpanKind, current_traceparent, span

log = structlog.get_logger(__name__)

START = "start"
SIGNAL = "signal"

# Temporal's definite answers: sending the same command again would be refused again.
REFUSALS = {RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.PERMISSION_DENIED, RPCStatusCode.UNIMPLEMENTED, RPCStatusCode.OUT_OF_RANGE}
# Calls to Temporal at once, over the workflows of a batch (each workflow's own commands one by one).
IN_FLIGHT = 20


class WorkflowCommand(SQLModel, table=True):
    __tablename__ = "workflow_command"

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # start | signal
    workflow_id: str = Field(index=True)
    workflow_type: str | None = None  # start: the workflow's registered name
    task_queue: str | None = None  # start
    signal: str | None = None  # signal: its name
    arg: Any = Field(default=None, sa_column=Column(JSON, nullable=True))  # JSON; None = no argument
    # The W3C trace context the command was written in (None: untraced): the relay's span
    # continues it, and Temporal's interceptor carries it on to the workflow.
    traceparent: str | None = None
    created_at: datetime = Field(sa_column=utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    attempts: int = 0  # definite refusals
    last_error: str | None = None
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))  # a relay's lease
    given_up_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))  # refused: for an admin


WRITTEN_IN_BATCHES.add(WorkflowCommand)


class GivenUp(Exception):
    """Temporal definitely refused the command: it waits for an admin, with this reason."""


# Rows written before the `traceparent` column wrapped it into the argument:
# {TRACED: {"traceparent": …, "arg": …}}. Still read (`unwrap`); retire once no such row is unsent.
TRACED = "kotopolku:traced"


def _json(arg: Any) -> Any:
    """The argument as JSON (models, UUIDs, dates…); Temporal's converter reads it back by the
    workflow's type hints."""
    return to_jsonable_python(arg)


def unwrap(row: WorkflowCommand | Row) -> tuple[str | None, Any]:
    """The `traceparent` the command was written in (None if none) and its argument: from its own
    column, or from the argument of a row written before that column."""
    stored = row.arg
    if isinstance(stored, dict) and set(stored) == {TRACED} and isinstance(stored[TRACED], dict):
        return row.traceparent or stored[TRACED].get("traceparent"), stored[TRACED].get("arg")
    return row.traceparent, stored


def start_workflow(session: AsyncSession, workflow_type: str, arg: BaseModel | dict, *, id: str, task_queue: str) -> None:
    """Start the workflow (or use the one running under that id) once the transaction commits."""
    session.add(
        WorkflowCommand(
            kind=START, workflow_id=id, workflow_type=workflow_type, task_queue=task_queue, arg=_json(arg),
            traceparent=current_traceparent(), created_at=now(),
        )
    )
    wake_relays_after_commit(session, WorkflowCommand)


def signal_workflow(session: AsyncSession, workflow_id: str, signal: str, arg: BaseModel | dict | str | None = None) -> None:
    """Signal the workflow once the transaction commits; a workflow that has ended is not told."""
    session.add(
        WorkflowCommand(kind=SIGNAL, workflow_id=workflow_id, signal=signal, arg=_json(arg), traceparent=current_traceparent(), created_at=now())
    )
    wake_relays_after_commit(session, WorkflowCommand)


class WorkflowCommandRelay(Relay):
    """Sends a service's committed workflow commands to Temporal, each workflow's in order."""

    table = WorkflowCommand
    sent_at = "sent_at"
    ordering_key = "workflow_id"
    what = "workflow commands"

    def __init__(self, database: Database, temporal: Client, **settings) -> None:  # settings: Relay's
        super().__init__(database, **settings)
        self.temporal = temporal

    async def run(self) -> None:
        await self.relay(self.send_pending)

    def waiting(self) -> list:
        # Not given up, nor behind a command of its workflow that was: those would fill every batch.
        commands, earlier = WorkflowCommand.__table__.c, WorkflowCommand.__table__.alias().c
        behind_given_up = exists().where(
            earlier.workflow_id == commands.workflow_id, earlier.id < commands.id, earlier.given_up_at.is_not(None)
        )
        return [commands.sent_at.is_(None), commands.given_up_at.is_(None), ~behind_given_up]

    async def send_pending(self) -> int:
        """Send one batch; says how many rows it claimed. Raises (after marking what was sent) when
        Temporal did not take a command for a reason that may pass: the relay pauses, the rest waits."""
        claimed = await self.claim()
        if not claimed:
            return 0
        sent: list[Row] = []
        changes: dict[int, dict] = {}
        may_pass: list[BaseException] = []
        calls = asyncio.Semaphore(IN_FLIGHT)

        async def send_in_order(rows: list[Row]) -> None:
            for row in rows:
                if may_pass:
                    return  # the batch stops at the first failure that may pass
                try:
                    async with calls:
                        await self._send(row)
                except GivenUp as refusal:
                    changes[row.id] = {"given_up_at": now(), "attempts": row.attempts + 1, "last_error": str(refusal)}
                    metrics.workflow_commands_given_up.labels(self.database.service, row.kind).inc()
                    log.error("workflow command given up", workflow_id=row.workflow_id, kind=row.kind, error=str(refusal))
                    return  # the workflow's later commands wait behind it
                except Exception as error:
                    changes[row.id] = {"last_error": describe_error(error)}
                    metrics.workflow_commands_retried.labels(self.database.service, _status(error)).inc()
                    may_pass.append(error)
                    return
                sent.append(row)

        try:
            async with asyncio.timeout(SEND_TIME_LIMIT):
                await asyncio.gather(*(send_in_order(rows) for rows in lanes(claimed, self.ordering_key)))
        except TimeoutError as error:
            may_pass.insert(0, error)
            metrics.workflow_commands_retried.labels(self.database.service, "TimeoutError").inc()
        finally:
            await self.mark(claimed, sent, changes)
        for row in sent:
            metrics.workflow_commands_sent.labels(self.database.service, row.kind).inc()
        if may_pass:
            raise may_pass[0]
        return len(claimed)

    async def _send(self, row: Row) -> None:
        """Send one command; GivenUp when it can never be carried out as it is. Sent in a span
        continuing the trace it was written in: Temporal's interceptor carries it to the workflow."""
        traceparent, arg = unwrap(row)
        with span(f"{row.kind} {row.workflow_type or row.signal}", traceparent=traceparent, kind=SpanKind.PRODUCER):
            await self._send_arg(row, arg)

    async def _send_arg(self, row: Row, arg: Any) -> None:
        try:
            if row.kind == START:
                if not (row.workflow_type and row.task_queue):
                    raise GivenUp("a start without its workflow type or task queue")
                await self.temporal.start_workflow(
                    row.workflow_type,
                    arg,
                    id=row.workflow_id,
                    task_queue=row.task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                    # Where this process runs the task queue's worker, its first step comes back with
                    # the answer instead of through the server's queue; elsewhere nothing changes.
                    request_eager_start=True,
                )
            elif row.kind == SIGNAL and row.signal:
                handle = self.temporal.get_workflow_handle(row.workflow_id)
                await (handle.signal(row.signal) if arg is None else handle.signal(row.signal, arg))
            else:
                raise GivenUp(f"a command of unknown kind {row.kind!r} or without its signal's name")
        except WorkflowAlreadyStartedError:
            pass  # the workflow exists or existed under its id: the start has been carried out
        except RPCError as error:
            if row.kind == SIGNAL and error.status == RPCStatusCode.NOT_FOUND:
                # The workflow has ended (its start, written before, was sent): nothing left to learn.
                log.info("workflow to signal has ended", workflow_id=row.workflow_id, signal=row.signal)
            elif error.status in REFUSALS:
                raise GivenUp(f"{error.status.name}: {error.message}"[:500]) from error
            else:
                raise
        except (TypeError, ValueError) as error:  # the argument cannot be encoded for Temporal
            raise GivenUp(describe_error(error)) from error


def _status(error: BaseException) -> str:
    if isinstance(error, RPCError) and error.status is not None:
        return error.status.name
    return type(error).__name__


# --- what an admin sees and does -----------------------------------------------------------------


async def given_up(database: Database, *, limit: int = 500) -> list[WorkflowCommand]:
    """The commands given up, oldest first."""
    async with database.session() as session:
        query = select(WorkflowCommand).where(WorkflowCommand.given_up_at.is_not(None)).order_by(WorkflowCommand.id).limit(limit)
        return list((await session.exec(query)).all())


async def replay_given_up(database: Database, ids: list[int] | None = None) -> int:
    """Send given-up commands again (all, or those of `ids`), once the cause is fixed; how many.
    They go in their places: a workflow's later commands still follow them."""
    async with database.session() as session:
        statement = update(WorkflowCommand).where(WorkflowCommand.given_up_at.is_not(None))
        if ids is not None:
            statement = statement.where(WorkflowCommand.id.in_(ids))
        result = await session.exec(statement.values(given_up_at=None, claimed_until=None))
        wake_relays_after_commit(session, WorkflowCommand)
        await session.commit()
        return result.rowcount
