"""The assessment workflow's hands on the assessment service's database and outbox."""

from __future__ import annotations

from temporalio import activity

from services.assessment import service
from services.assessment.records import AssessmentRecord, CorrectionRecord
from shared.contracts import NotificationRequested
from shared.service import ServiceContext


class AssessmentActivities:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @activity.defn(name="record_assessment")
    async def record_assessment(self, record: AssessmentRecord) -> None:
        async with self.ctx.db.session() as session:
            await service.save_assessment(session, record)
            await session.commit()

    @activity.defn(name="record_assessment_correction")
    async def record_assessment_correction(self, correction: CorrectionRecord) -> None:
        async with self.ctx.db.session() as session:
            await service.record_correction(session, correction)
            await session.commit()

    @activity.defn(name="request_assessment_notification")
    async def request_assessment_notification(self, request: NotificationRequested) -> None:
        async with self.ctx.db.session() as session:
            service.request_notification(session, request)
            await session.commit()

    def all(self) -> list:
        return [self.record_assessment, self.record_assessment_correction, self.request_assessment_notification]
