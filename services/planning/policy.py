"""When the law's numbers change, the running plans follow: which of their open deadlines a new
policy moves (`kotopolku policy diff`, touching nothing), and telling each open plan not yet on
it (`kotopolku policy apply`) through the workflow-command relay (its `policy_changed` signal,
sent once committed). The plan works its deadlines and timers out again (plan_clock.py) by the
same rule as the preview (deadlines.policy_due). The version itself is recorded by the
assessment service (services/assessment/policy.py)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import deadlines
from services.planning.commands import POLICY_CHANGED, PolicyChanged
from services.planning.models import IntegrationPlan
from services.planning.records import ACTIVE, AWAITING, EXPIRED, PlanRecord
from shared.clock import today
from shared.contracts import plan_workflow_id
from shared.policy import DeadlineMove, PolicyBook, plan_timings
from shared.workflow_commands import signal_workflow


class Applied(BaseModel):
    signalled: int  # open plans told to follow it
    moves: list[DeadlineMove]


async def _open(session: AsyncSession) -> list[PlanRecord]:
    query = select(IntegrationPlan).where(IntegrationPlan.status.in_((AWAITING, ACTIVE, EXPIRED))).order_by(IntegrationPlan.case_id)
    return [PlanRecord.model_validate(row.record) for row in (await session.exec(query)).all()]


def moves_of(record: PlanRecord, book: PolicyBook, *, on: date) -> list[DeadlineMove]:
    """The plan's open deadlines `book` moves; `passed`: the day has gone (staff were told)."""
    found = []
    for kind, moves_to in deadlines.policy_due(record, plan_timings(book.for_municipality(record.municipality_code))).items():
        due_on = deadlines.due_of(record, kind)
        if due_on is not None and moves_to != due_on:
            found.append(DeadlineMove(
                case_id=str(record.case_id), municipality_code=record.municipality_code, kind=kind, due_on=due_on, moves_to=moves_to,
                from_version=record.policy_version, passed=due_on < on,
            ))
    return found


def _sorted(moves: list[DeadlineMove]) -> list[DeadlineMove]:
    return sorted(moves, key=lambda move: (move.due_on, move.municipality_code, move.case_id, move.kind.value))


async def diff(session: AsyncSession, book: PolicyBook) -> list[DeadlineMove]:
    """The plans' deadlines `book` would move; reads only."""
    on = today()
    return _sorted([move for record in await _open(session) for move in moves_of(record, book, on=on)])


async def apply(session: AsyncSession, book: PolicyBook) -> Applied:
    """Tell every open plan not yet on `book`'s version (in the caller's unit of work: the signals
    leave once it commits). Applying it again tells only those still not on it; a plan ignores a
    version it already follows."""
    on, rows = today(), [record for record in await _open(session) if record.policy_version != book.version]
    moves = []
    for record in rows:
        moves += moves_of(record, book, on=on)
        change = PolicyChanged(version=book.version, label=book.label, timings=plan_timings(book.for_municipality(record.municipality_code)))
        signal_workflow(session, plan_workflow_id(record.case_id), POLICY_CHANGED, change)
    return Applied(signalled=len(rows), moves=_sorted(moves))
