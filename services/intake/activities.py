"""Intake's activities: the path workflow's hands on the database and the outbox."""

from __future__ import annotations

from uuid import UUID

from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.intake import service
from services.intake.workflows import NoticeOutcome, NotificationRequest
from shared.contracts import CaseChange
from shared.service import ServiceContext


class IntakeActivities:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @activity.defn(name="record_case_change")
    async def record_case_change(self, change: CaseChange) -> None:
        async with self.ctx.db.session() as session:
            try:
                await service.apply_case_change(session, change)
            except service.TransitionRefused as error:
                raise ApplicationError(str(error), type="TransitionRefused", non_retryable=True) from None
            await session.commit()

    @activity.defn(name="request_notification")
    async def request_notification(self, request: NotificationRequest) -> None:
        async with self.ctx.db.session() as session:
            await service.request_notification(session, request)
            await session.commit()

    # --- recruitment notices ---

    @activity.defn(name="confirm_notice_recorded")
    async def confirm_notice_recorded(self, notice_id: UUID) -> None:
        """Retried until the submission that started the workflow has committed."""
        async with self.ctx.db.session() as session:
            if not await service.notice_recorded(session, notice_id):
                raise ApplicationError("the notice is not recorded (yet)", type="NoticeNotRecorded")

    @activity.defn(name="record_notice_expiry")
    async def record_notice_expiry(self, notice_id: UUID) -> NoticeOutcome:
        async with self.ctx.db.session() as session:
            outcome = await service.expire_notice(session, notice_id)
            await session.commit()
        return outcome

    @activity.defn(name="settled_notice_status")
    async def settled_notice_status(self, notice_id: UUID) -> NoticeOutcome:
        """How the signalled notice ended; retried while the change that was signalled is not
        committed yet (the workflow gives up after a while: the change was rolled back)."""
        async with self.ctx.db.session() as session:
            outcome = await service.settled_notice_status(session, notice_id)
        if outcome is None:
            raise ApplicationError("the notice is still open: the signalled change is not committed (yet)", type="NoticeStillOpen")
        return outcome

    def all(self) -> list:
        return [
            self.record_case_change,
            self.request_notification,
            self.confirm_notice_recorded,
            self.record_notice_expiry,
            self.settled_notice_status,
        ]
