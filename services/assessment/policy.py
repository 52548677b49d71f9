"""When the law's numbers change, the running assessments follow: which open start deadlines a new
policy moves (`kotopolku policy diff`, touching nothing), and applying it (`kotopolku policy apply`):
the version recorded, and each open assessment told through the workflow-command relay (its
`policy_changed` signal, sent once committed), which works its deadline and timers out again.

The assessment service keeps the `assessment_start` deadline, so it keeps the versions applied."""

from __future__ import annotations

from pydantic import BaseModel
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessment.commands import POLICY_CHANGED, PolicyChanged
from services.assessment.models import Assessment, PolicyVersion
from services.assessment.records import AWAITING, SCHEDULED
from shared.clock import now
from shared.contracts import DeadlineKind, assessment_workflow_id
from shared.policy import DeadlineMove, OpenDeadline, PolicyBook, assessment_timings, deadline_moves
from shared.workflow_commands import signal_workflow


class Applied(BaseModel):
    version: str
    label: str | None
    already_applied: bool  # the version was applied before: the assessments not yet on it are told again
    signalled: int  # open assessments told to follow it
    moves: list[DeadlineMove]


async def _open(session: AsyncSession) -> list[Assessment]:
    query = select(Assessment).where(Assessment.status.in_((AWAITING, SCHEDULED))).order_by(Assessment.due_on, Assessment.case_id)
    return list((await session.exec(query)).all())


def _deadline(row: Assessment) -> OpenDeadline:
    return OpenDeadline(
        case_id=str(row.case_id), municipality_code=row.municipality_code, kind=DeadlineKind.assessment_start, due_on=row.due_on,
        basis_on=row.became_client_on, policy_version=row.policy_version, passed=row.overdue,
    )


async def open_deadlines(session: AsyncSession) -> list[OpenDeadline]:
    """Every open start deadline: the assessments not yet started."""
    return [_deadline(row) for row in await _open(session)]


async def diff(session: AsyncSession, book: PolicyBook) -> list[DeadlineMove]:
    """The start deadlines `book` would move; reads only."""
    return deadline_moves(await open_deadlines(session), book)


async def apply(session: AsyncSession, book: PolicyBook, *, applied_by: str) -> Applied:
    """Record `book`'s version and tell every open assessment not yet on it (in the caller's unit
    of work: the signals leave once it commits). Applying the same version again tells only those
    still not on it (a signal lost with an ended worker, say); the workflows ignore a repeat."""
    rows = [row for row in await _open(session) if row.policy_version != book.version]
    moves = deadline_moves([_deadline(row) for row in rows], book)
    for row in rows:
        policy = book.for_municipality(row.municipality_code)
        change = PolicyChanged(
            version=book.version, label=book.label, assessment_start_months=policy.assessment_start_months,
            timings=assessment_timings(policy),
        )
        signal_workflow(session, assessment_workflow_id(row.case_id), POLICY_CHANGED, change)
    recorded = await session.get(PolicyVersion, book.version)
    if recorded is None:
        session.add(PolicyVersion(
            version=book.version, label=book.label, effective_from=book.effective_from, content=book.content, applied_at=now(),
            applied_by=applied_by, signalled=len(rows),
        ))
    else:
        recorded.signalled += len(rows)
        session.add(recorded)
    return Applied(version=book.version, label=book.label, already_applied=recorded is not None, signalled=len(rows), moves=moves)


async def versions(session: AsyncSession) -> list[PolicyVersion]:
    """The versions applied, latest first."""
    return list((await session.exec(select(PolicyVersion).order_by(PolicyVersion.applied_at.desc()))).all())
