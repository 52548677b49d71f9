"""The only writers of the notifications service's tables, and the queries its API serves."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Iterator
from uuid import UUID

from sqlalchemy import func, or_, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.models import (
    AccessLogEntry,
    AccessLogFilters,
    AccessLogRead,
    CaseChange,
    CaseFilters,
    CaseView,
    ClientView,
    Notification,
)
from shared import metrics
from shared.auth import StaffUser, scoped
from shared.clock import now, today, wait_at_most
from shared.contracts import CaseChanged, CaseUpdated, ClientRecorded, NotificationRequested, PersonalDataRead, Stage
from shared.subscription import Rejected
from shared.pagination import Page, Pagination, paginate
from shared.rows import put_unless_newer
from shared.service import ServiceContext


class CaseFeed:
    """Wakes SSE streams and waiting case reads in this process when a change is committed. They
    also look again now and then, so a change committed by another process (another replica)
    reaches them too."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self.version = 0  # changes committed so far: a waiter that read at version v misses none after it
        # The case reads waiting for a change of one case (a staff command's answer): only that
        # case's change wakes them, not every change of the municipality.
        self._watchers: dict[UUID, set[asyncio.Event]] = {}

    async def notify(self, case_id: UUID | None = None) -> None:
        """A change of `case_id` committed (of some case, when None: every waiting read looks)."""
        async with self._changed:
            self.version += 1
            self._changed.notify_all()
        for watchers in [self._watchers.get(case_id, set())] if case_id is not None else list(self._watchers.values()):
            for watcher in watchers:
                watcher.set()

    async def wait(self, timeout: float, *, after: int | None = None) -> None:
        """Until the next change (or the first change after `version` `after`), at most `timeout` s."""
        seen = self.version if after is None else after
        async with self._changed:
            await wait_at_most(timeout, self._changed.wait_for(lambda: self.version != seen))

    @contextmanager
    def watching(self, case_id: UUID) -> Iterator[asyncio.Event]:
        """An event set by the next change of the case committed in this process."""
        watcher = asyncio.Event()
        self._watchers.setdefault(case_id, set()).add(watcher)
        try:
            yield watcher
        finally:
            watchers = self._watchers[case_id]
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[case_id]


# A waiting case read looks again at least this often: a change another replica committed wakes no one here.
CASE_RECHECK_SECONDS = 1.0


async def case_once_changed(
    ctx: ServiceContext, user: StaffUser, case_id: UUID, since: datetime, wait: float
) -> tuple[CaseView, ClientView | None] | None:
    """The case once the projection shows a change made at or after `since` (or, after `wait`
    seconds, as it is then), woken by the commit of the case's changes rather than polling; no
    connection is held while it waits."""
    feed = case_feed(ctx)
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        with feed.watching(case_id) as changed:  # before the read: a change committed after it ends the wait at once
            async with ctx.db.session() as session:
                found = await get_case(session, user, case_id)
            left = deadline - asyncio.get_running_loop().time()
            if found is None or found[0].changed_at >= since or left <= 0:
                return found
            await wait_at_most(min(left, CASE_RECHECK_SECONDS), changed.wait())


def case_feed(ctx: ServiceContext) -> CaseFeed:
    """The service's one feed, shared by its handlers (which wake it) and its streams."""
    return ctx.resources.setdefault("case_feed", CaseFeed())


async def number_in_commit_order(session: AsyncSession) -> None:
    """Case changes are numbered in the order they commit, so that a live stream which has sent id n
    will never find a smaller id committing later (another replica, a slow transaction): on
    PostgreSQL one writer at a time holds the table from numbering to commit (readers go on);
    SQLite has one writer at a time anyway."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(text("LOCK TABLE case_change IN EXCLUSIVE MODE"))


async def apply_case_changed(session: AsyncSession, update: CaseChanged) -> None:
    await number_in_commit_order(session)
    session.add(
        CaseChange(
            case_id=update.case_id,
            municipality_code=update.municipality_code,
            data=update.model_dump(mode="json", exclude={"client"}),  # the timeline keeps no personal data
            changed_at=update.changed_at,
        )
    )
    # An older change arriving late joins the timeline but does not overwrite the view.
    await put_unless_newer(session, CaseView, {
        "case_id": update.case_id,
        "client_id": update.client_id,
        "municipality_code": update.municipality_code,
        "stage": update.stage,
        "status": update.status,
        "next_deadline_kind": update.next_deadline.kind if update.next_deadline else None,
        "next_deadline_on": update.next_deadline.due_on if update.next_deadline else None,
        "deadlines": [deadline.model_dump(mode="json") for deadline in update.deadlines],
        "assignee_sub": update.assignee_sub,
        "assignee": update.assignee_name,
        "reason": update.reason,
        "changed_at": update.changed_at,
    }, newer="changed_at", keep={"client_id"})


async def apply_client_recorded(session: AsyncSession, recorded: ClientRecorded, recorded_at: datetime) -> None:
    """Who the client is, as of `recorded_at` (the event's time): an older record arriving late
    (a retry, another relay) does not overwrite a newer one."""
    fields = recorded.model_dump(include=set(ClientView.model_fields)) | {"recorded_at": recorded_at}
    await put_unless_newer(session, ClientView, fields, newer="recorded_at")


def public_change(data: dict) -> dict:
    """What the SSE feed sends of a stored change: `case.updated` (CONTRACT §3), nothing more."""
    return {name: data[name] for name in CaseUpdated.model_fields if name in data}


async def record_notification(session: AsyncSession, request: NotificationRequested) -> None:
    if request.municipality_code is None:
        raise Rejected("a notification request must name its municipality")
    if await session.get(Notification, request.notification_id) is not None:
        return  # the same request again (an activity retried): told once
    recipient_sub = request.recipient_sub
    if recipient_sub is None and request.recipient_role == "caseworker" and request.case_id is not None:
        # A case's caseworker is its assignee, when it has one; otherwise every caseworker.
        view = await session.get(CaseView, request.case_id)
        recipient_sub = view.assignee_sub if view is not None else None
    session.add(
        Notification(
            **request.model_dump(exclude={"notification_id", "notice_id", "recipient_sub"}),
            recipient_sub=recipient_sub,
            id=request.notification_id,
            created_at=now(),
        )
    )


def overdue_condition(on: date):
    return or_(CaseView.next_deadline_on < on, CaseView.status.like("%overdue"))


async def count_overdue(session: AsyncSession) -> int:
    """Open cases past a deadline: the operator's gauge (shared/metrics.py)."""
    query = select(func.count()).select_from(CaseView).where(overdue_condition(today()), CaseView.stage != Stage.closed)
    return (await session.exec(query)).one()


async def measure_overdue(database, interval: float = 60.0) -> None:
    """Keeps the gauge of overdue open cases current: one count a minute, not one per scrape."""
    while True:
        async with database.session() as session:
            metrics.cases_overdue.set(await count_overdue(session))
        await asyncio.sleep(interval)


def due_by_condition(on: date):
    """An open case with a deadline falling due on or before `on`. `next_deadline` is the nearest
    of the case's open `deadlines`, so one column answers for all of them; a deadline already
    passed is still due (and the list marks it overdue)."""
    return (CaseView.next_deadline_on <= on) & (CaseView.stage != Stage.closed)


async def list_cases(
    session: AsyncSession,
    user: StaffUser,
    filters: CaseFilters,
    pagination: Pagination,
) -> Page[tuple[CaseView, ClientView | None]]:
    query = scoped(select(CaseView, ClientView).outerjoin(ClientView, ClientView.client_id == CaseView.client_id), CaseView.municipality_code, user)
    if filters.municipality:
        query = query.where(CaseView.municipality_code == filters.municipality)
    if filters.stage:
        query = query.where(CaseView.stage == filters.stage)
    if filters.overdue is True:
        query = query.where(overdue_condition(today()), CaseView.stage != Stage.closed)
    if filters.due_within_days is not None:
        query = query.where(due_by_condition(today() + timedelta(days=filters.due_within_days)))
    if filters.household:
        query = query.where(ClientView.household_id == filters.household)
    if filters.q:
        pattern = f"%{filters.q.strip().lower()}%"
        query = query.where(
            or_(func.lower(ClientView.given_names).like(pattern), func.lower(ClientView.family_name).like(pattern))
        )
    query = query.order_by(CaseView.next_deadline_on.is_(None), CaseView.next_deadline_on, CaseView.changed_at.desc())
    return await paginate(session, query, pagination, tuple)


async def case_exists(session: AsyncSession, user: StaffUser, case_id: UUID) -> bool:
    """Whether the case is there for the user (its key alone: nothing of the case is loaded)."""
    query = scoped(select(CaseView.case_id).where(CaseView.case_id == case_id), CaseView.municipality_code, user)
    return (await session.exec(query)).first() is not None


async def get_case(session: AsyncSession, user: StaffUser, case_id: UUID) -> tuple[CaseView, ClientView | None] | None:
    query = scoped(
        select(CaseView, ClientView).outerjoin(ClientView, ClientView.client_id == CaseView.client_id).where(CaseView.case_id == case_id),
        CaseView.municipality_code,
        user,
    )
    row = (await session.exec(query)).first()
    return (row[0], row[1]) if row else None


async def timeline(session: AsyncSession, case_id: UUID) -> list[CaseChange]:
    rows = await session.exec(select(CaseChange).where(CaseChange.case_id == case_id).order_by(CaseChange.changed_at, CaseChange.id))
    return list(rows)


async def log_access(session: AsyncSession, user: StaffUser, view: CaseView, action: str, *, query: str | None = None) -> None:
    """Record that the user read this case's personal data (the caller commits)."""
    session.add(
        AccessLogEntry(
            user_sub=user.sub, user_name=user.name, record_kind="case", record_id=view.case_id, case_id=view.case_id, client_id=view.client_id,
            municipality_code=view.municipality_code, action=action, query=query, at=now(),
        )
    )


async def record_reads(session: AsyncSession, read: PersonalDataRead) -> None:
    """Another service showed a staff member these records (its `personal_data.read` event)."""
    for record in read.records:
        session.add(
            AccessLogEntry(
                user_sub=read.user_sub, user_name=read.user_name, record_kind=record.kind, record_id=record.record_id,
                case_id=record.case_id, client_id=record.client_id, municipality_code=record.municipality_code,
                action=read.action, query=read.query, at=read.at,
            )
        )


async def list_access_log(
    session: AsyncSession,
    user: StaffUser,
    filters: AccessLogFilters,
    pagination: Pagination,
) -> Page[AccessLogRead]:
    """Reads of records of the user's municipalities, newest first."""
    query = scoped(select(AccessLogEntry), AccessLogEntry.municipality_code, user)
    for name in ("case_id", "client_id", "user_sub", "record_id"):
        if (value := getattr(filters, name)) is not None:
            query = query.where(getattr(AccessLogEntry, name) == value)
    if filters.since is not None:
        query = query.where(AccessLogEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AccessLogEntry.at < filters.until)
    query = query.order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    return await paginate(session, query, pagination, lambda entry: AccessLogRead.model_validate(entry, from_attributes=True))


# A stream resumes at most this many changes back; an older resume point (or none of ours) is
# answered with a `reset` event: the client reloads what it shows, the stream goes on from now.
REPLAY_LIMIT = 1000
LARGEST_EVENT_ID = 10**15  # far above any real id, far below any database's integer limit


def resume_point(last_event_id: str | None) -> int | None:
    """The id a stream resumes after, from a `Last-Event-ID` header; None when there is none or it is
    not one of ours (the stream then starts from now)."""
    value = (last_event_id or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 15 or int(value) > LARGEST_EVENT_ID:
        return None
    return int(value)


def stream_start(resumed: int | None, latest: int) -> tuple[int, bool]:
    """Where a stream starts (it sends what is above it), and whether the client must reload first:
    its resume point is further back than the replay allows."""
    if resumed is None:
        return latest, False
    if latest - resumed > REPLAY_LIMIT:
        return latest, True
    return min(resumed, latest), False


async def changes_after(session: AsyncSession, user: StaffUser, after: int, limit: int = 200) -> list[CaseChange]:
    """The next changes the user may see above `after`, oldest first. Ids follow the commit order
    (number_in_commit_order): nothing can still arrive below the last one sent."""
    query = scoped(select(CaseChange).where(CaseChange.id > after), CaseChange.municipality_code, user)
    return list(await session.exec(query.order_by(CaseChange.id).limit(limit)))


class StreamLimits:
    """How many live streams are open, in all and per staff member, in this process."""

    def __init__(self, total: int, per_user: int) -> None:
        self.total, self.per_user = total, per_user
        self.open: dict[str, int] = {}

    def take(self, sub: str) -> bool:
        if sum(self.open.values()) >= self.total or self.open.get(sub, 0) >= self.per_user:
            return False
        self.open[sub] = self.open.get(sub, 0) + 1
        return True

    def give_back(self, sub: str) -> None:
        self.open[sub] -= 1
        if not self.open[sub]:
            del self.open[sub]


def stream_limits(ctx: ServiceContext) -> StreamLimits:
    settings = ctx.settings
    return ctx.resources.setdefault("stream_limits", StreamLimits(settings.max_live_streams, settings.max_live_streams_per_user))


async def latest_change_id(session: AsyncSession) -> int:
    return (await session.exec(select(func.max(CaseChange.id)))).one() or 0


async def list_notifications(session: AsyncSession, user: StaffUser, limit: int = 50) -> list[Notification]:
    """Those addressed to the user, and those addressed to a role of theirs and no one person."""
    addressed = or_(
        Notification.recipient_sub == user.sub,
        Notification.recipient_sub.is_(None) & Notification.recipient_role.in_(user.roles),
    )
    # The wellbeing services county's staff are told of their county's municipalities' cases.
    where = col(Notification.municipality_code).in_([*user.municipalities, *user.county_municipalities()])
    query = select(Notification).where(where, addressed)
    return list(await session.exec(query.order_by(Notification.created_at.desc()).limit(limit)))
