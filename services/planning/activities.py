"""The plan workflow's hands on the planning service's database. (Its case changes and
notifications go through intake's activities on intake's task queue.)"""

from __future__ import annotations

from temporalio import activity

from services.planning import service
from services.planning.records import PlanRecord
from shared.service import ServiceContext


class PlanningActivities:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @activity.defn(name="record_plan")
    async def record_plan(self, record: PlanRecord) -> None:
        async with self.ctx.db.session() as session:
            await service.save_plan(session, record)
            await session.commit()

    def all(self) -> list:
        return [self.record_plan]
