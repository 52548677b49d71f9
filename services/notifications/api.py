"""The case status feed of CONTRACT.md §3 and staff notifications. Thin: parse, authorise, call
service.py. Lists come from the projection, never from Temporal."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlencode
from typing import Annotated, AsyncIterator
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import service
from services.notifications.models import (
    AccessLogFilters,
    AccessLogRead,
    CaseDetail,
    CaseFilters,
    CaseRead,
    CaseView,
    ClientSummary,
    ClientView,
    NotificationRead,
    TimelineEntry,
)
from services.notifications.templates import render
from shared import municipalities
from shared.client_groups import groups_on, young_below_age
from shared.auth import CurrentStaff, StaffUser, require_role
from shared.clock import now, today
from shared.contracts import Deadline, Stage, from_record
from shared.http import ApiError
from shared.pagination import Page, PageParams
from shared.ratelimit import limiter
from shared.refusals import NotFound, found
from shared.service import ServiceContext, context_dependency, session_dependency

STREAM_POLL_SECONDS = 2.0
STREAM_PAGE = 200  # changes read at a time


def case_read(view: CaseView, client: ClientView | None) -> dict:
    deadline = Deadline(kind=view.next_deadline_kind, due_on=view.next_deadline_on) if view.next_deadline_kind else None
    return dict(
        case_id=view.case_id,
        client_id=view.client_id,
        municipality_code=view.municipality_code,
        **municipalities.names(view.municipality_code),
        stage=view.stage,
        status=view.status,
        next_deadline=deadline,
        overdue=view.stage != Stage.closed
        and (view.status.endswith("overdue") or (deadline is not None and deadline.due_on < today())),
        assignee=view.assignee,
        assignee_sub=view.assignee_sub,
        changed_at=view.changed_at,
        reason=view.reason,
        client=client_summary(client) if client else None,
    )


def client_summary(client: ClientView) -> ClientSummary:
    """The client as staff see them on a case: their groups as of today (young people worked out)."""
    summary = ClientSummary.model_validate(client, from_attributes=True)
    if client.client_groups is None:
        return summary
    return summary.model_copy(update={"client_groups": groups_on(client.client_groups, client.birth_date, today(), young_below_age())})


NotificationsContext = Annotated[ServiceContext, Depends(context_dependency("notifications"))]
Session = Annotated[AsyncSession, Depends(session_dependency("notifications"))]

router = APIRouter(prefix="/api/v1", tags=["cases"])


async def visible_case(case_id: UUID, user: CurrentStaff, session: Session) -> tuple[CaseView, ClientView | None]:
    """The case of this id, if it is of one of the user's municipalities (else 404)."""
    return found(await service.get_case(session, user, case_id), "case_not_found")


@router.get("/cases", response_model=Page[CaseRead])
async def list_cases(
    request: Request,
    user: CurrentStaff,
    session: Session,
    pagination: PageParams,
    filters: Annotated[CaseFilters, Query()],
):
    page = await service.list_cases(session, user, filters, pagination)
    # A list shows names (and a name search finds people): every case listed is an access.
    query = urlencode({name: value for name, value in request.query_params.items() if name not in ("page", "page_size")})
    for view, _client in page.items:
        await service.log_access(session, user, view, "cases.list", query=query or None)
    await session.commit()
    # Lists carry names but never the identity code (the projection doesn't hold it at all).
    page.items = [CaseRead(**case_read(view, client)) for view, client in page.items]
    return page


async def stream_slot(user: CurrentStaff, ctx: NotificationsContext) -> None:
    """One of the user's few live streams, taken before the stream answers (the stream gives it back);
    a user opens at most KOTOPOLKU_LIVE_STREAM_OPENS_PER_MINUTE a minute."""
    limiter(ctx.resources, "live_stream_opens", ctx.settings.live_stream_opens_per_minute, 60).check(user.sub)
    if not service.stream_limits(ctx).take(user.sub):
        raise ApiError(429, "too_many_streams", headers={"Retry-After": "30"})


@router.get("/cases/stream", response_class=EventSourceResponse, dependencies=[Depends(stream_slot)])
async def stream(
    request: Request, user: CurrentStaff, ctx: NotificationsContext, last_event_id: Annotated[str | None, Header()] = None
) -> AsyncIterator[ServerSentEvent]:
    """`case.updated` for every change of a case the user may see; resumable by Last-Event-ID up to
    service.REPLAY_LIMIT changes back (further back: a `reset` event first, reload and go on). The
    stream ends when the user's token expires (the client reconnects with a fresh one); a staff
    member has at most a few streams open at once (429 beyond)."""
    try:
        feed = service.case_feed(ctx)
        async with ctx.db.session() as session:
            latest = await service.latest_change_id(session)
        after, reload = service.stream_start(service.resume_point(last_event_id), latest)
        if reload:  # too far back to replay: the client reloads its lists, and resumes from here next time
            yield ServerSentEvent(event="reset", id=str(after), raw_data=json.dumps({"reason": "resume_point_too_old"}))
        while not await request.is_disconnected() and (user.expires_at is None or now() < user.expires_at):
            version = feed.version  # before the read: a change committed after it ends the wait below at once
            async with ctx.db.session() as session:
                changes = await service.changes_after(session, user, after, limit=STREAM_PAGE)
            for change in changes:
                after = change.id
                yield ServerSentEvent(event="case.updated", id=str(change.id), raw_data=json.dumps(service.public_change(change.data)))
            if len(changes) < STREAM_PAGE:  # all there was: one read for each wake, not a second one to find nothing
                await feed.wait(STREAM_POLL_SECONDS, after=version)
    finally:
        service.stream_limits(ctx).give_back(user.sub)


@router.head("/cases/{case_id}", status_code=204)
async def case_exists(case_id: UUID, user: CurrentStaff, session: Session) -> Response:
    """204 when the case exists and is of one of the user's municipalities, else 404: shows no
    personal data, so it is not an access (a staff command checks the case this way first; only
    its key is read, as `CaseReads.exists` reads it in one process)."""
    if not await service.case_exists(session, user, case_id):
        raise NotFound("case_not_found")
    return Response(status_code=204)


MAX_WAIT_SECONDS = 10.0


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def get_case(
    case_id: UUID,
    user: CurrentStaff,
    ctx: NotificationsContext,
    changed_since: Annotated[
        datetime | None,
        Query(description="Answer once the case shows a change made at or after this time (RFC 3339), waiting at most `wait` seconds"),
    ] = None,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_SECONDS, description="The longest wait for `changed_since`, seconds")] = MAX_WAIT_SECONDS,
) -> CaseDetail:
    return found(await case_detail(ctx, user, case_id, changed_since=changed_since, wait=wait), "case_not_found")


async def case_detail(
    ctx: ServiceContext, user: StaffUser, case_id: UUID, *, changed_since: datetime | None = None, wait: float = MAX_WAIT_SECONDS
) -> CaseDetail | None:
    """The case as `GET /api/v1/cases/{case_id}` shows it, once it shows a change made at or after
    `changed_since` (waiting at most `wait` seconds); None when the user may not see it. The read
    is logged (one access-log row however long it waited)."""
    if changed_since is not None:  # (no connection held while it waits)
        case = await service.case_once_changed(ctx, user, case_id, _aware(changed_since), wait)
    async with ctx.db.session() as session:
        if changed_since is None:
            case = await service.get_case(session, user, case_id)
        if case is None:
            return None
        view, client = case
        changes = await service.timeline(session, view.case_id)
        await service.log_access(session, user, view, "case.read")
        await session.commit()
    timeline = [
        TimelineEntry(
            at=change.data["changed_at"],
            stage=change.data["stage"],
            status=change.data["status"],
            reason=change.data["reason"],
            next_deadline=change.data.get("next_deadline"),
            changed_by=change.data.get("changed_by"),
        )
        for change in changes
    ]
    # Every open deadline, as the latest change listed them.
    deadlines = [Deadline.model_validate(item) for item in view.deadlines]
    if not deadlines and view.next_deadline_kind:
        deadlines = [Deadline(kind=view.next_deadline_kind, due_on=view.next_deadline_on)]
    return CaseDetail(**case_read(view, client), deadlines=deadlines, timeline=timeline)


class CaseReads:
    """The case reads of shared/cases.py when notifications runs in the same process: the same
    answers as its routes, called directly for the caller already authenticated (a staff command
    reads the case before and after it; through the whole application each read cost as much as
    the command's own work)."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def exists(self, user: StaffUser, case_id: UUID) -> bool:
        async with self.ctx.db.session() as session:
            return await service.case_exists(session, user, case_id)

    async def detail(
        self, user: StaffUser, case_id: UUID, *, changed_since: datetime | None = None, wait: float = MAX_WAIT_SECONDS
    ) -> dict | None:
        detail = await case_detail(self.ctx, user, case_id, changed_since=changed_since, wait=min(wait, MAX_WAIT_SECONDS))
        return None if detail is None else detail.model_dump(mode="json", by_alias=True)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


@router.get("/notifications", response_model=list[NotificationRead], tags=["notifications"])
async def list_notifications(user: CurrentStaff, session: Session) -> list[NotificationRead]:
    rows = await service.list_notifications(session, user)
    return [from_record(NotificationRead, row, message=render(row.kind, row.params)) for row in rows]


@router.get("/access-log", response_model=Page[AccessLogRead], tags=["access log"], dependencies=[require_role("coordinator")])
async def access_log(
    user: CurrentStaff,
    session: Session,
    pagination: PageParams,
    filters: Annotated[AccessLogFilters, Query()],
):
    """Who read which record of the coordinator's municipalities, and how (`case.read`: the detail;
    `cases.list`: listed, with the filters and name search used; reviews, notices, assessments and
    plans: docs/access-log.md), newest first. Coordinators only."""
    return await service.list_access_log(session, user, filters, pagination)
