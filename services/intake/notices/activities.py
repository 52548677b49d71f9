"""The recruitment notice workflow's activities: its hands on the notice's record."""

from __future__ import annotations

from uuid import UUID

from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.intake.notices import service
from services.intake.notices.workflows import NoticeOutcome
from shared.activities import ServiceActivities


class NoticeActivities(ServiceActivities):
    @activity.defn(name="confirm_notice_recorded")
    async def confirm_notice_recorded(self, notice_id: UUID) -> None:
        """Retried until the submission that started the workflow has committed."""
        async with self.ctx.db.session() as session:
            if not await service.notice_recorded(session, notice_id):
                raise ApplicationError("the notice is not recorded (yet)", type="NoticeNotRecorded")

    @activity.defn(name="record_notice_expiry")
    async def record_notice_expiry(self, notice_id: UUID) -> NoticeOutcome:
        async with self.committed() as session:
            outcome = await service.expire_notice(session, notice_id)
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
        return [self.confirm_notice_recorded, self.record_notice_expiry, self.settled_notice_status]
