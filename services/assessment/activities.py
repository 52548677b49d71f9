"""The assessment workflow's hands on the assessment service's database and outbox."""

from __future__ import annotations

from temporalio import activity

from services.assessment import service
from services.assessment.records import AssessmentRecord, CorrectionRecord
from shared.activities import ServiceActivities
from shared.contracts import NotificationRequested


class AssessmentActivities(ServiceActivities):
    @activity.defn(name="record_assessment")
    async def record_assessment(self, record: AssessmentRecord) -> None:
        async with self.committed() as session:
            await service.save_assessment(session, record)

    @activity.defn(name="record_assessment_correction")
    async def record_assessment_correction(self, correction: CorrectionRecord) -> None:
        async with self.committed() as session:
            await service.record_correction(session, correction)

    @activity.defn(name="request_assessment_notification")
    async def request_assessment_notification(self, request: NotificationRequested) -> None:
        async with self.committed() as session:
            service.request_notification(session, request)

    def all(self) -> list:
        return [self.record_assessment, self.record_assessment_correction, self.request_assessment_notification]
