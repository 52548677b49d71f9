"""The plan workflow's hands on the planning service's database and outbox."""

from __future__ import annotations

from temporalio import activity

from services.planning import service
from services.planning.workflows import PlanRecord
from shared.contracts import NotificationRequested
from shared.service import ServiceContext


class PlanningActivities:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @activity.defn(name="record_plan")
    async def record_plan(self, record: PlanRecord) -> None:
        async with self.ctx.db.session() as session:
            await service.save_plan(session, record)
            await session.commit()

    @activity.defn(name="request_plan_notification")
    async def request_plan_notification(self, request: NotificationRequested) -> None:
        async with self.ctx.db.session() as session:
            service.request_notification(session, request)
            await session.commit()

    def all(self) -> list:
        return [self.record_plan, self.request_plan_notification]
