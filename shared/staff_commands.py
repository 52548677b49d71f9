"""Staff commands sent to a workflow as Temporal updates (CONTRACT §5), the same way for every
service: the Idempotency-Key names the update (Temporal runs it once), the workflow's validator
refusals become the HTTP refusals (409 state, 422 content, the reason in fi/sv/en), and the
route answers with the case once the projection shows the change (shared.cases.case_after)."""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from shared.auth import StaffUser
from shared.i18n import all_languages
from shared.refusals import Conflict, Refused

R = TypeVar("R", bound=BaseModel)


def update_id(name: str, user: StaffUser, key: str | None) -> str | None:
    """The same user's same key names the same update: Temporal runs it once per workflow run."""
    if not key:
        return None
    return f"{name}-" + hashlib.sha256(f"{user.sub}\n{key}".encode()).hexdigest()[:32]


def temporal(client: Client | None) -> Client:
    if client is None:
        raise Refused("dependency_down", status=503, parts="Temporal")
    return client


def refusal_of(error: ApplicationError, fallback: str) -> Refused:
    """The workflow's refusal: type = the catalogue code, first detail = {"status", "params"}."""
    detail = error.details[0] if error.details and isinstance(error.details[0], dict) else {}
    status = detail.get("status") if detail.get("status") in (409, 422) else 409
    params = {str(name): value for name, value in (detail.get("params") or {}).items()}
    try:
        all_languages(error.type or "", **params)
    except (KeyError, IndexError, ValueError):  # a code (or a parameter) the catalogue lacks
        return Refused(fallback, status=status, reason=error.message)
    return Refused(error.type, status=status, **params)


def rpc_refusal(error: RPCError, not_open: str) -> Refused:
    """No workflow (or one that has ended): the command does not fit; anything else: Temporal is away."""
    if error.status == RPCStatusCode.NOT_FOUND or (
        error.status == RPCStatusCode.FAILED_PRECONDITION and "completed" in str(error).lower()
    ):
        return Conflict(not_open)
    return Refused("dependency_down", status=503, parts=f"Temporal ({error.status.name if error.status else 'unavailable'})")


async def execute_update(
    client: Client | None, workflow_id: str, name: str, command: BaseModel, *, user: StaffUser, key: str | None,
    result_type: type[R], not_open: str, fallback: str,
) -> R:
    handle = temporal(client).get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(name, command, id=update_id(name, user, key), result_type=result_type)
    except WorkflowUpdateFailedError as error:
        if isinstance(error.cause, ApplicationError):
            raise refusal_of(error.cause, fallback) from None
        raise
    except RPCError as error:
        raise rpc_refusal(error, not_open) from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise Refused("dependency_down", status=503, parts="Temporal (timeout)") from None


CASE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The case, exactly as `GET /api/v1/cases/{case_id}` shows it after the command"},
    403: {"description": "The user's role may not give this command"},
    404: {"description": "No such case, or not of the user's municipalities"},
    409: {"description": "The command does not fit the case's state (reason in fi/sv/en)"},
    422: {"description": "The body (or what it asks) is not valid: every bad field, or the reason in fi/sv/en"},
    503: {"description": "Temporal is not reachable: nothing was done, try again"},
}
