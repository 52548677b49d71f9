"""The plan workflow's hands on the planning service's database. (Its case changes and
notifications go through intake's activities on intake's task queue.)"""

from __future__ import annotations

from temporalio import activity

from services.planning import service
from services.planning.records import PlanRecord
from shared.activities import ServiceActivities


class PlanningActivities(ServiceActivities):
    @activity.defn(name="record_plan")
    async def record_plan(self, record: PlanRecord) -> None:
        async with self.committed() as session:
            await service.save_plan(session, record)

    def all(self) -> list:
        return [self.record_plan]
