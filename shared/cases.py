"""The case as staff see it — `GET /api/v1/cases/{case_id}` (CONTRACT §3) — for the services whose
staff commands answer with it (CONTRACT §5: "the case exactly as GET would return it right
after").

The case view belongs to the notifications service (a projection kept from events), so it is read
from there with the caller's own credentials: the projection's scoping decides what the caller may
see (not visible -> None -> the route answers 404). When notifications runs in the same process it
is read in-process; otherwise over HTTP at KOTOPOLKU_NOTIFICATIONS_URL.

After a command the projection catches up through the outbox and the broker, so `case_after`
asks for the case as of the command's `changed_at` (`?changed_since=`): the notifications service
answers once it has committed that change, woken by the commit itself, and logs that one read —
one access-log row per command however long the projection lagged. A command that does not move
the case answers with the case's last change time, which the projection already has. Before a
command, `CheckedCase` only asks whether the case is there for the user (`HEAD`): nothing is shown,
so nothing is logged.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated, Any, AsyncIterator, Protocol
from uuid import UUID

import httpx

from shared.ratelimit import READ_BACK_HEADER, read_back_proof
from fastapi import Depends, Request

from shared.auth import SESSION_COOKIE, CurrentStaff, StaffUser
from shared.refusals import NotFound, Refused

CASE_PATH = "/api/v1/cases/{case_id}"
WAIT_SECONDS = 10.0  # the longest a command's answer waits for the projection (the change still arrives later)
READ_TIMEOUT_SECONDS = 5.0


class CaseReads(Protocol):
    """The notifications service's case reads, where it runs in this process (app.state.case_reads)."""

    async def exists(self, user: StaffUser, case_id: UUID) -> bool: ...

    async def detail(
        self, user: StaffUser, case_id: UUID, *, changed_since: datetime | None = None, wait: float = WAIT_SECONDS
    ) -> dict[str, Any] | None: ...


def _in_process(request: Request) -> tuple[CaseReads, StaffUser] | None:
    """The in-process reads and the caller they are made for, when both are there."""
    reads, user = getattr(request.app.state, "case_reads", None), getattr(request.state, "staff", None)
    return (reads, user) if reads is not None and user is not None else None


def _credentials(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    headers = {"accept-language": request.headers.get("accept-language", "fi")}
    if "authorization" in request.headers:
        headers["authorization"] = request.headers["authorization"]
    cookies = {SESSION_COOKIE: request.cookies[SESSION_COOKIE]} if SESSION_COOKIE in request.cookies else {}
    credentials = headers.get("authorization") or cookies.get(SESSION_COOKIE, "")
    headers[READ_BACK_HEADER] = read_back_proof(request.app.state.settings.data_key_bytes, credentials)  # not counted again
    return headers, cookies


@asynccontextmanager
async def service_client(request: Request, service: str, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of another service's API: in-process when it runs in this one, else at `base_url`."""
    if service in getattr(request.app.state, "contexts", {}):
        transport, base_url = httpx.ASGITransport(app=request.app), "http://kotopolku"
    else:
        transport = None
    async with httpx.AsyncClient(transport=transport, base_url=base_url, timeout=READ_TIMEOUT_SECONDS) as client:
        yield client


def _notifications(request: Request) -> Any:
    return service_client(request, "notifications", request.app.state.settings.notifications_url)


async def read_as_caller(client: httpx.AsyncClient, request: Request, path: str, service: str) -> dict[str, Any] | None:
    """GET `path` of another service with the caller's own credentials: None when it answers 404,
    503 (naming the service) when it cannot answer."""
    headers, cookies = _credentials(request)
    client.cookies.update(cookies)
    try:
        response = await client.get(path, headers=headers)
    except httpx.HTTPError as error:
        raise Refused("dependency_down", status=503, parts=f"{service} ({type(error).__name__})") from None
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise Refused("dependency_down", status=503, parts=f"{service} ({response.status_code})")
    return response.json()


async def _read(client: httpx.AsyncClient, request: Request, case_id: UUID, *, method: str = "GET", **params: str) -> dict[str, Any] | None:
    headers, cookies = _credentials(request)
    client.cookies.update(cookies)
    try:
        response = await client.request(method, CASE_PATH.format(case_id=case_id), headers=headers, params=params)
    except httpx.HTTPError as error:
        raise Refused("dependency_down", status=503, parts=f"notifications ({type(error).__name__})") from None
    if response.status_code == 404:
        return None
    if response.status_code == 204:
        return {}
    if response.status_code != 200:
        raise Refused("dependency_down", status=503, parts=f"notifications ({response.status_code})")
    return response.json()


async def read_case(request: Request, case_id: UUID) -> dict[str, Any] | None:
    """The case as the caller may see it now; None when they may not (or it is not known)."""
    if local := _in_process(request):
        reads, user = local
        return await reads.detail(user, case_id)
    async with _notifications(request) as client:
        return await _read(client, request, case_id)


async def case_after(request: Request, case_id: UUID, changed_at: datetime, *, wait: float = WAIT_SECONDS) -> dict[str, Any]:
    """The case once the projection shows the change made at `changed_at` (or, after `wait`
    seconds, as it is then: the change still arrives, only later)."""
    if changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=timezone.utc)
    if local := _in_process(request):
        reads, user = local
        case = await reads.detail(user, case_id, changed_since=changed_at, wait=wait)
    else:
        async with _notifications(request) as client:
            # The notifications service holds the read until its commit; the HTTP timeout must outlast that.
            client.timeout = httpx.Timeout(READ_TIMEOUT_SECONDS + wait)
            case = await _read(client, request, case_id, changed_since=changed_at.isoformat(), wait=str(wait))
    if case is None:
        raise NotFound("case_not_found")
    return case


async def case_visible(case_id: UUID, request: Request, user: CurrentStaff) -> None:
    """404 unless the case is there for the user: checked before a command is sent, showing nothing."""
    if local := _in_process(request):
        reads, caller = local
        if not await reads.exists(caller, case_id):
            raise NotFound("case_not_found")
        return
    async with _notifications(request) as client:
        if await _read(client, request, case_id, method="HEAD") is None:
            raise NotFound("case_not_found")


CheckedCase = Annotated[None, Depends(case_visible)]


async def visible_case(case_id: UUID, request: Request, user: CurrentStaff) -> dict[str, Any]:
    """The case of the path, if the user may see it; 404 otherwise (before anything else is done)."""
    case = await read_case(request, case_id)
    if case is None:
        raise NotFound("case_not_found")
    return case


VisibleCase = Annotated[dict[str, Any], Depends(visible_case)]
