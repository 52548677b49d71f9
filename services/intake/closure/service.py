"""Closing a case whose path never started (a client offered guidance, or waiting for the triage
decision): no workflow to tell, so intake closes it in its own table, with the reason's status."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.closure.commands import CloseCase
from services.intake.models import ClientCase
from services.intake.service import change_case
from shared.auth import StaffUser, scoped
from shared.clock import today
from shared.contracts import CLOSURE_STATUS, Stage
from shared.lifecycle import closure_fact


async def close_without_path(session: AsyncSession, *, user: StaffUser, case_id: UUID, closure: CloseCase) -> ClientCase | None:
    """The case closed; None when its path has started (the path closes it, and its children)."""
    case = (await session.exec(scoped(select(ClientCase), ClientCase.municipality_code, user).where(ClientCase.id == case_id))).first()
    if case is None or case.workflow_id is not None:
        return None
    text = f"case.closed.{closure.reason.value}" + (f": {closure.notes}" if closure.notes else "")
    await change_case(
        session, case, Stage.closed, CLOSURE_STATUS[closure.reason], None, text, changed_by=user.name or user.sub,
        fact=closure_fact(closure.reason), details={"closed_on": today().isoformat()},
    )
    return case
