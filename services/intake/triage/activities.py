"""The triage decision's clock's hands (triage/workflows.py): is the case still waiting, and the
passed deadline on its timeline. Notifications go through intake's `request_notification`."""

from __future__ import annotations

from temporalio import activity

from services.intake.triage import service
from services.intake.triage.workflows import RECORD_MISSED, RECORD_MOVED, STILL_WAITING, TriageDeadline, TriageDeadlineMoved
from shared.activities import ServiceActivities


class TriageActivities(ServiceActivities):
    @activity.defn(name=RECORD_MISSED)
    async def record_triage_decision_missed(self, deadline: TriageDeadline) -> bool:
        info = activity.info()  # the same on every attempt of this activity
        async with self.committed() as session:
            return await service.record_decision_missed(
                session, deadline, once=f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
            )

    @activity.defn(name=RECORD_MOVED)
    async def record_triage_decision_moved(self, moved: TriageDeadlineMoved) -> bool:
        info = activity.info()
        async with self.committed() as session:
            return await service.record_decision_moved(
                session, moved, once=f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
            )

    @activity.defn(name=STILL_WAITING)
    async def triage_decision_pending(self, deadline: TriageDeadline) -> bool:
        async with self.ctx.db.session() as session:
            return await service.waiting_case(session, deadline) is not None

    def all(self) -> list:
        return [self.record_triage_decision_missed, self.record_triage_decision_moved, self.triage_decision_pending]
