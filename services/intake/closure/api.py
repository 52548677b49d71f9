"""CONTRACT §5 `POST /api/v1/cases/{case_id}/closure`: intake owns the client's path, so it closes
it. The route sends the `close` update to the path (`client-<client_id>`), which tells its
children (the assessment is cancelled, the plan ends), records the case closed with the reason's
status and ends; the answer is the case as `GET /api/v1/cases/{case_id}` shows it right after.
A case whose path never started (guidance offered, or waiting for triage) is closed by intake
itself (closure/service.py).

Who may do what: docs/roles.md."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.intake.closure import service
from services.intake.closure.commands import CLOSE, CloseCase, Closure
from services.intake.workflows import path_workflow_id
from shared import clock
from shared.cases import VisibleCase, case_after
from shared.refusals import Conflict
from shared.service import ServiceContext, context_dependency
from shared.staff_commands import CASE_ANSWER, CaseWorker, IdempotencyKey, execute_update
from shared.workflow_payloads import CommandResult

router = APIRouter(prefix="/api/v1/cases/{case_id}", tags=["intake"])

Context = Annotated[ServiceContext, Depends(context_dependency("intake"))]


@router.post("/closure", responses=CASE_ANSWER, summary="Close the case: the client's path ends (CONTRACT §5)")
async def close(
    case_id: UUID, body: CloseCase, request: Request, case: VisibleCase, user: CaseWorker, ctx: Context, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    if case["stage"] == "closed" and not idempotency_key:  # a repeat with its key answers as the first time
        raise Conflict("case_already_closed")
    if case["stage"] == "intake":  # guidance offered, or waiting for triage: no path to close
        async with ctx.db.session() as session:
            closed = await service.close_without_path(session, user=user, case_id=case_id, closure=body)
            await session.commit()
        if closed is not None:
            return await case_after(request, case_id, closed.updated_at)
    closure = Closure(closure=body, today=clock.today(), actor_sub=user.sub, actor_name=user.name or None)
    result = await execute_update(
        ctx.temporal, path_workflow_id(case["client_id"]), CLOSE, closure, user=user, key=idempotency_key,
        result_type=CommandResult, not_open="case_already_closed", fallback="closure_refused", db=ctx.db,
    )
    return await case_after(request, case_id, result.changed_at)
