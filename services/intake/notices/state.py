"""Where a recruitment notice's status changes: the one table of allowed moves, and the one
function that moves a notice (with its event, and superseding the reviews it no longer needs)."""

from __future__ import annotations

import uuid

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.notices.matching.models import AUTOMATIC, MatchReview, ReviewStatus
from services.intake.notices.models import NoticeStatus, RecruitmentNotice
from services.intake.outbox import SOURCE
from shared.clock import now
from shared.contracts import INTERNAL_EXCHANGE, RECRUITMENT_NOTICE_UPDATED, RecruitmentNoticeUpdated, from_record
from shared.messaging import publish
from shared.refusals import Conflict

OPEN_NOTICE_STATUSES = (NoticeStatus.received, NoticeStatus.acknowledged)

# Every allowed move of a recruitment notice. Anything else is refused (409, saying why).
NOTICE_TRANSITIONS: set[tuple[NoticeStatus, NoticeStatus]] = {
    (NoticeStatus.received, NoticeStatus.acknowledged),
    (NoticeStatus.received, NoticeStatus.arrived),  # the recruit may register before anyone looked
    (NoticeStatus.acknowledged, NoticeStatus.arrived),
    (NoticeStatus.received, NoticeStatus.expired),
    (NoticeStatus.acknowledged, NoticeStatus.expired),
    (NoticeStatus.received, NoticeStatus.withdrawn),
    (NoticeStatus.acknowledged, NoticeStatus.withdrawn),
}


class NoticeTransitionRefused(Conflict):
    """The notice can't move that way (e.g. it already arrived): 409 saying what it already is."""

    def __init__(self, current: NoticeStatus, target: NoticeStatus) -> None:
        super().__init__(f"notice_already_{current}")
        self.current, self.target = current, target


async def locked_notice(session: AsyncSession, notice_id: uuid.UUID, *conditions) -> RecruitmentNotice | None:
    """The notice, fresh from the database and locked for this transaction (PostgreSQL)."""
    query = select(RecruitmentNotice).where(RecruitmentNotice.id == notice_id, *conditions)
    return (await session.exec(query.with_for_update().execution_options(populate_existing=True))).first()


async def move_notice(
    session: AsyncSession, notice: RecruitmentNotice, target: NoticeStatus, reason: str, *, case_id: uuid.UUID | None = None
) -> None:
    current = NoticeStatus(notice.status)
    if (current, target) not in NOTICE_TRANSITIONS:
        raise NoticeTransitionRefused(current, target)
    notice.status, notice.updated_at = target, now()
    session.add(notice)
    if target not in OPEN_NOTICE_STATUSES:
        await supersede_reviews(session, notice_id=notice.id)
    publish_notice_updated(session, notice, reason, case_id=case_id)


def publish_notice_updated(session: AsyncSession, notice: RecruitmentNotice, reason: str, *, case_id: uuid.UUID | None = None) -> None:
    update = from_record(
        RecruitmentNoticeUpdated, notice, notice_id=notice.id, changed_at=notice.updated_at, reason=reason, case_id=case_id
    )
    publish(session, type=RECRUITMENT_NOTICE_UPDATED, source=SOURCE, data=update, subject=str(notice.id), exchange=INTERNAL_EXCHANGE)


async def supersede_reviews(session: AsyncSession, *, notice_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None) -> None:
    """Open reviews of a notice that ended, or of a client who was matched, need no decision."""
    query = select(MatchReview).where(MatchReview.status == ReviewStatus.open)
    query = query.where(MatchReview.notice_id == notice_id) if notice_id else query.where(MatchReview.client_id == client_id)
    for review in await session.exec(query):
        review.status, review.resolved_at, review.resolved_by = ReviewStatus.superseded, now(), AUTOMATIC
        session.add(review)
