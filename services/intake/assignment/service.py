"""The only writers of a case's assignee. Each change is on the case's timeline with who made it."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import service as intake
from services.intake.case_events import publish_case_changed, publish_domain_event
from services.intake.models import ClientCase
from shared.auth import StaffUser
from shared.contracts import CASE_ASSIGNED
from shared.refusals import Conflict, NotFound

ASSIGNED = "assignee.assigned"
TAKEN = "assignee.taken"
REMOVED = "assignee.removed"


def _by(user: StaffUser) -> str:
    return user.name or user.sub


async def _case(session: AsyncSession, user: StaffUser, case_id: UUID) -> ClientCase:
    case = await session.get(ClientCase, case_id, with_for_update=True)
    if case is None or not user.can_see(case.municipality_code):
        raise NotFound("case_not_found")
    return case


def _record(session: AsyncSession, case: ClientCase, reason: str, user: StaffUser) -> None:
    case.updated_at = intake.now()
    session.add(case)
    publish_case_changed(session, case, reason, changed_by=_by(user))
    assigned_on = case.updated_at.astimezone(intake.FINNISH_TIME).date()
    publish_domain_event(session, case, CASE_ASSIGNED, {"assignee_sub": case.assignee_sub, "assigned_on": assigned_on})


async def assign(session: AsyncSession, *, user: StaffUser, case_id: UUID, sub: str, name: str) -> ClientCase:
    """A coordinator gives the case to a caseworker (or to another one)."""
    case = await _case(session, user, case_id)
    if (case.assignee_sub, case.assignee_name) != (sub, name):
        case.assignee_sub, case.assignee_name = sub, name
        _record(session, case, ASSIGNED, user)
    return case


async def take(session: AsyncSession, *, user: StaffUser, case_id: UUID) -> ClientCase:
    """A caseworker takes an unassigned case; refused when somebody has it (two at once: one wins)."""
    case = await _case(session, user, case_id)
    if case.assignee_sub == user.sub:
        return case  # already theirs
    taken = await session.exec(
        update(ClientCase)
        .where(ClientCase.id == case_id, ClientCase.assignee_sub.is_(None))
        .values(assignee_sub=user.sub, assignee_name=user.name or user.sub)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise Conflict("case_already_assigned", assignee=case.assignee_name or case.assignee_sub)
    await session.refresh(case)
    _record(session, case, TAKEN, user)
    return case


async def unassign(session: AsyncSession, *, user: StaffUser, case_id: UUID) -> ClientCase:
    """A coordinator takes the case back from its assignee."""
    case = await _case(session, user, case_id)
    if case.assignee_sub is not None:
        case.assignee_sub = case.assignee_name = None
        _record(session, case, REMOVED, user)
    return case
