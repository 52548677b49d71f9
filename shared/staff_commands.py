"""Staff commands sent to a workflow as Temporal updates (CONTRACT §5), the same way for every
service: the Idempotency-Key names the update (Temporal runs it once; the same key with another
command or body is refused, as recruitment notices refuse it), the workflow's validator
refusals become the HTTP refusals (409 state, 422 content, the reason in fi/sv/en), and the
route answers with the case once the projection shows the change (shared.cases.case_after).
`StaffCommands` puts a workflow's commands on a router from one table of routes."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Awaitable, Callable, Generic, Iterable, TypeVar
from uuid import UUID

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from shared import clock
from shared.auth import StaffUser, require_role
from shared.cases import CheckedCase, case_after
from shared.db import Database, utc_column
from shared.i18n import all_languages
from shared.refusals import Conflict, Refused
from shared.workflow_payloads import Actor

if TYPE_CHECKING:
    from shared.service import ServiceContext

R = TypeVar("R", bound=BaseModel)

# How long a command waits for its workflow to carry it out. An update normally answers within a
# second; one that does not (its workflow stuck behind an activity, Temporal overloaded) gets a
# 503 that says it may still be carried out, instead of holding the request open without end.
ANSWER_WAIT_SECONDS = 30.0


def update_id(name: str, user: StaffUser, key: str | None) -> str | None:
    """The same user's same key names the same update: Temporal runs it once per workflow run."""
    if not key:
        return None
    return f"{name}-" + hashlib.sha256(f"{user.sub}\n{key}".encode()).hexdigest()[:32]


class StaffCommandKey(SQLModel, table=True):
    """An Idempotency-Key a user gave a staff command that was done, with what it asked: the same
    key asking something else is refused (409) instead of answered with the first result."""

    __tablename__ = "staff_command_key"

    user_sub: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    request_hash: str
    created_at: datetime = Field(sa_column=utc_column())


# Who gave a command and the day it counts for are not what it asks: a repeat the next day is the same request.
PER_REQUEST = {"actor", "today", "actor_sub", "actor_name"}


def request_hash(workflow_id: str, name: str, command: BaseModel) -> str:
    asked = command.model_dump(mode="json", exclude=PER_REQUEST)
    return hashlib.sha256(json.dumps([workflow_id, name, asked], sort_keys=True).encode()).hexdigest()


async def refuse_reused_key(db: Database, user: StaffUser, key: str, asked: str) -> None:
    async with db.session() as session:
        earlier = await session.get(StaffCommandKey, (user.sub, key))
    if earlier is not None and earlier.request_hash != asked:
        raise Conflict("command_key_reused")


async def remember_key(db: Database, user: StaffUser, key: str, asked: str) -> None:
    """After the command was done (a refused one leaves the key free for a corrected body)."""
    try:
        async with db.session() as session:
            session.add(StaffCommandKey(user_sub=user.sub, key=key, request_hash=asked, created_at=clock.now()))
            await session.commit()
    except IntegrityError:  # given at the same moment: the same request is fine, another is refused
        await refuse_reused_key(db, user, key, asked)


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
    result_type: type[R], not_open: str, fallback: str, db: Database,
) -> R:
    handle = temporal(client).get_workflow_handle(workflow_id)
    asked = request_hash(workflow_id, name, command)
    if key:
        await refuse_reused_key(db, user, key, asked)
    answer_wait = asyncio.timeout(ANSWER_WAIT_SECONDS)
    try:
        async with answer_wait:
            result = await handle.execute_update(name, command, id=update_id(name, user, key), result_type=result_type)
    except WorkflowUpdateFailedError as error:
        if isinstance(error.cause, ApplicationError):
            raise refusal_of(error.cause, fallback) from None
        raise
    except RPCError as error:
        raise rpc_refusal(error, not_open) from None
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        if answer_wait.expired():
            # Perhaps accepted: the update then completes later. The same Idempotency-Key names
            # the same update, so a repeat with it waits for that one instead of giving it twice.
            raise Refused("command_not_answered", status=503, headers={"Retry-After": "5"}) from None
        raise Refused("dependency_down", status=503, parts="Temporal (timeout)") from None
    if key:
        await remember_key(db, user, key, asked)
    return result


CASE_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "The case, exactly as `GET /api/v1/cases/{case_id}` shows it after the command"},
    403: {"description": "The user's role may not give this command"},
    404: {"description": "No such case, or not of the user's municipalities"},
    409: {"description": "The command does not fit the case's state (reason in fi/sv/en)"},
    422: {"description": "The body (or what it asks) is not valid: every bad field, or the reason in fi/sv/en"},
    503: {"description": "Temporal is not reachable (`dependency_down`: nothing was done, try again), or the command was "
                f"not answered within {ANSWER_WAIT_SECONDS:.0f} s (`command_not_answered`: it may still be carried out; repeat it with the same "
                "Idempotency-Key to wait for it without giving it twice)"},
}

CaseWorker = Annotated[StaffUser, require_role("caseworker", "coordinator")]
IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Repeating a command with the same key has no second effect"),
]


@dataclass(frozen=True)
class CommandRoute:
    """One staff command's route: `POST <path>` gives the workflow update `update` with the body
    in the command's field `field`. A route with `optional_body` takes no body as an empty one."""

    name: str  # the route's name (and so its OpenAPI operationId)
    path: str
    summary: str
    update: str
    field: str
    body: type[BaseModel]
    optional_body: bool = False
    # What only the service can check (its database, other cases), before the command is sent:
    # (ctx, request, case_id, user, body) -> the body to send (refusing raises).
    check: Callable[..., Awaitable[BaseModel]] | None = None


@dataclass(frozen=True)
class StaffCommands(Generic[R]):
    """The staff commands of one workflow per case: how its id is made, its update's argument and
    answer, and the refusal codes when it is not open or refuses with a code the catalogue lacks."""

    workflow_id: Callable[[UUID], str]
    command: Callable[..., BaseModel]  # the update's argument: (actor=, today=, <field>=body)
    result_type: type[R]
    not_open: str
    fallback: str
    context: Any  # the service's ServiceContext dependency (an Annotated type)

    async def send(self, ctx: ServiceContext, request: Request, case_id: UUID, user: StaffUser, name: str, key: str | None, **body: Any) -> dict[str, Any]:
        """Give the command to the case's workflow; answer with the case once it shows the change."""
        command = self.command(actor=Actor(sub=user.sub, name=user.name), today=clock.today(), **body)
        result = await execute_update(
            ctx.temporal, self.workflow_id(case_id), name, command, user=user, key=key,
            result_type=self.result_type, not_open=self.not_open, fallback=self.fallback, db=ctx.db,
        )
        return await case_after(request, case_id, result.changed_at)

    def add_routes(self, router: APIRouter, routes: Iterable[CommandRoute]) -> None:
        for route in routes:
            router.add_api_route(
                route.path, self._endpoint(route), methods=["POST"], name=route.name, summary=route.summary, responses=CASE_ANSWER
            )

    def _endpoint(self, route: CommandRoute) -> Callable[..., Any]:
        async def endpoint(*, case_id: UUID, request: Request, case: None, user: StaffUser, ctx: ServiceContext,
                           body: BaseModel | None = None, idempotency_key: str | None = None) -> dict[str, Any]:
            given = route.body() if body is None else body
            if route.check is not None:
                given = await route.check(ctx, request, case_id, user, given)
            return await self.send(ctx, request, case_id, user, route.update, idempotency_key, **{route.field: given})

        # FastAPI reads what a route takes from its signature: each parameter's type (or dependency)
        # and default, the body's model being the route's own.
        required = inspect.Parameter.empty
        taken = {
            "case_id": (UUID, required),
            "body": (route.body | None, None) if route.optional_body else (route.body, required),
            "request": (Request, required),
            "case": (CheckedCase, required),  # one the user may see: 404 before anything is sent (not an access: nothing shown)
            "user": (CaseWorker, required),
            "ctx": (self.context, required),
            "idempotency_key": (IdempotencyKey, None),
        }
        endpoint.__signature__ = inspect.Signature(
            [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default) for name, (kind, default) in taken.items()],
            return_annotation=dict[str, Any],
        )
        endpoint.__name__ = route.name
        return endpoint
