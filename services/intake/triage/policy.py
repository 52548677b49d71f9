"""When the law's numbers change, the triage queue follows: which `triage_decision` deadlines a
new policy moves (`kotopolku policy diff`, touching nothing), and telling each waiting case's clock
(`kotopolku policy apply`) through intake's workflow-command relay. The day is worked out from the
day the case was put in the queue (the day it was registered: cases are queued only then); the
clock puts the move on the case's timeline (triage/workflows.py)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import ClientCase
from services.intake.triage.service import record_decision_moved
from services.intake.triage.workflows import POLICY_CHANGED, TriageDeadline, TriageDeadlineMoved, TriagePolicyChanged, triage_workflow_id
from shared.clock import FINNISH_TIME, today
from shared.contracts import CaseStatus, DeadlineKind
from shared.policy import DeadlineMove, OpenDeadline, PolicyBook, deadline_moves, due_under
from shared.workflow_commands import signal_workflow


async def _waiting(session: AsyncSession) -> list[ClientCase]:
    query = select(ClientCase).where(
        ClientCase.status == CaseStatus.needs_triage, ClientCase.workflow_id.is_(None),  # type: ignore[union-attr]
        ClientCase.next_deadline_kind == DeadlineKind.triage_decision.value,
    ).order_by(ClientCase.next_deadline_on, ClientCase.id)
    return list((await session.exec(query)).all())


def _deadline(case: ClientCase, on) -> OpenDeadline:
    assert case.next_deadline_on is not None
    return OpenDeadline(
        case_id=str(case.id), municipality_code=case.municipality_code, kind=DeadlineKind.triage_decision,
        due_on=case.next_deadline_on, basis_on=case.opened_on, policy_version=case.next_deadline_policy_version,
        passed=case.next_deadline_on < on,
    )


async def diff(session: AsyncSession, book: PolicyBook) -> list[DeadlineMove]:
    """The triage decisions' deadlines `book` would move; reads only."""
    on = today()
    return deadline_moves([_deadline(case, on) for case in await _waiting(session)], book)


async def apply(session: AsyncSession, book: PolicyBook) -> tuple[int, list[DeadlineMove]]:
    """Tell the clock of every case waiting in the triage queue (sent once the caller commits);
    a clock ignores a version it already follows. A clock that has told the coordinator too has
    ended: its case's passed deadline is moved here, on the timeline as passed (nothing is
    un-escalated). The number of cases told or moved, and the moves."""
    on, cases = today(), await _waiting(session)
    moves = deadline_moves([_deadline(case, on) for case in cases], book)
    for case in cases:
        policy = book.for_municipality(case.municipality_code)
        due_on = due_under(DeadlineKind.triage_decision, case.opened_on, policy)
        assert due_on is not None and case.next_deadline_on is not None
        change = TriagePolicyChanged(
            version=book.version, label=book.label, due_on=due_on,
            overdue_at=datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=FINNISH_TIME),
        )
        escalated_on = case.next_deadline_on + timedelta(days=1 + policy.assessment_escalation_days)
        if on < escalated_on:
            signal_workflow(session, triage_workflow_id(case.id), POLICY_CHANGED, change)
        elif due_on != case.next_deadline_on:
            deadline = TriageDeadline(case_id=case.id, client_id=case.client_id, due_on=case.next_deadline_on, overdue_at=change.overdue_at,
                                      coordinator_escalation_after=timedelta(days=policy.assessment_escalation_days))
            await record_decision_moved(session, TriageDeadlineMoved(deadline=deadline, change=change, passed=True),
                                        once=f"policy/{book.version}/{case.id}")
    return len(cases), moves
