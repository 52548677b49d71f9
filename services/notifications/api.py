"""The case status feed of CONTRACT.md §3 and staff notifications. Thin: parse, authorise, call
service.py. Lists come from the projection, never from Temporal."""

from __future__ import annotations

import json
from typing import Annotated, AsyncIterator
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from services.notifications import service
from services.notifications.models import (
    CaseDetail,
    CasePage,
    CaseRead,
    CaseView,
    ClientSummary,
    ClientView,
    NotificationRead,
    TimelineEntry,
)
from services.notifications.templates import render
from shared import municipalities
from shared.auth import CurrentStaff
from shared.contracts import Deadline, Stage
from shared.http import ApiError, Page, PageSize
from shared.service import ServiceContext

STREAM_POLL_SECONDS = 2.0


def case_read(view: CaseView, client: ClientView | None) -> dict:
    deadline = Deadline(kind=view.next_deadline_kind, due_on=view.next_deadline_on) if view.next_deadline_kind else None
    municipality = municipalities.get(view.municipality_code)
    return dict(
        case_id=view.case_id,
        client_id=view.client_id,
        municipality_code=view.municipality_code,
        municipality_name=municipality.name_fi if municipality else view.municipality_code,
        municipality_name_sv=municipality.name_sv if municipality else view.municipality_code,
        stage=view.stage,
        status=view.status,
        next_deadline=deadline,
        overdue=view.stage != Stage.closed
        and (view.status.endswith("overdue") or (deadline is not None and deadline.due_on < service.today())),
        assignee=view.assignee,
        assignee_sub=view.assignee_sub,
        changed_at=view.changed_at,
        reason=view.reason,
        client=ClientSummary.model_validate(client, from_attributes=True) if client else None,
    )


def build_router(ctx: ServiceContext, feed: service.CaseFeed) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["cases"])

    @router.get("/cases", response_model=CasePage)
    async def list_cases(
        user: CurrentStaff,
        municipality: str | None = None,
        stage: Stage | None = None,
        overdue: bool | None = None,
        q: Annotated[str | None, Query(max_length=100)] = None,
        page: Page = 1,
        page_size: PageSize = 50,
    ) -> CasePage:
        async with ctx.db.session() as session:
            rows, total = await service.list_cases(
                session, user, municipality=municipality, stage=stage, overdue=overdue, q=q, page=page, page_size=page_size
            )
        # Lists carry names but never the identity code (the projection doesn't hold it at all).
        return CasePage(items=[CaseRead(**case_read(view, client)) for view, client in rows], total=total, page=page, page_size=page_size)

    @router.get("/cases/stream", response_class=EventSourceResponse)
    async def stream(
        request: Request, user: CurrentStaff, last_event_id: Annotated[str | None, Header()] = None
    ) -> AsyncIterator[ServerSentEvent]:
        """`case.updated` for every change of a case the user may see; resumable by Last-Event-ID."""
        async with ctx.db.session() as session:
            last_id = int(last_event_id) if last_event_id and last_event_id.isdigit() else await service.latest_change_id(session)
        while not await request.is_disconnected():
            async with ctx.db.session() as session:
                changes = await service.changes_after(session, user, last_id)
            for change in changes:
                last_id = change.id
                yield ServerSentEvent(event="case.updated", id=str(change.id), raw_data=json.dumps(service.public_change(change.data)))
            if not changes:
                await feed.wait(STREAM_POLL_SECONDS)

    @router.get("/cases/{case_id}", response_model=CaseDetail)
    async def get_case(case_id: UUID, user: CurrentStaff) -> CaseDetail:
        async with ctx.db.session() as session:
            found = await service.get_case(session, user, case_id)
            if found is None:
                raise ApiError(404, "case_not_found")
            view, client = found
            changes = await service.timeline(session, case_id)
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

    @router.get("/notifications", response_model=list[NotificationRead], tags=["notifications"])
    async def list_notifications(user: CurrentStaff) -> list[NotificationRead]:
        async with ctx.db.session() as session:
            rows = await service.list_notifications(session, user)
        return [
            NotificationRead(
                id=row.id,
                kind=row.kind,
                municipality_code=row.municipality_code,
                recipient_role=row.recipient_role,
                recipient_sub=row.recipient_sub,
                case_id=row.case_id,
                created_at=row.created_at,
                message=render(row.kind, row.params),
            )
            for row in rows
        ]

    return router
