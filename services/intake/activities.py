"""Intake's activities: the path workflow's hands on the database and the outbox.
(The recruitment notice workflow's are in notices/activities.py.)"""

from __future__ import annotations

from datetime import datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.intake import service
from shared.activities import ServiceActivities
from shared.contracts import CaseChange, NotificationRequested


class IntakeActivities(ServiceActivities):
    @activity.defn(name="record_case_change")
    async def record_case_change(self, change: CaseChange) -> datetime:
        """Move the case; answer with its last change time (the `changed_at` its events carry)."""
        info = activity.info()  # the same on every attempt of this activity
        once = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
        async with self.committed() as session:
            try:
                changed_at = await service.apply_case_change(session, change, once=once)
            except service.TransitionRefused as error:
                raise ApplicationError(str(error), type="TransitionRefused", non_retryable=True) from None
        return changed_at

    @activity.defn(name="request_notification")
    async def request_notification(self, request: NotificationRequested) -> None:
        async with self.committed() as session:
            await service.request_notification(session, request)

    def all(self) -> list:
        return [self.record_case_change, self.request_notification]
