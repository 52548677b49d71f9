"""The planning service's AMQP handlers.

Module-level `async def handler(ctx, session, event)` functions, bound by `subscriptions(ctx)`:
the convention of every service's handlers.py."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning import service
from shared.contracts import INTERNAL_EXCHANGE, SERVICE_REPORT_RECEIVED, ServiceReport
from shared.envelope import Envelope
from shared.subscription import Subscription, parse_data
from shared.service import ServiceContext

QUEUE = "kotopolku.planning"


async def service_reported(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.record_service_report(session, parse_data(ServiceReport, event))


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    return [Subscription.of_service(ctx, QUEUE, INTERNAL_EXCHANGE, {SERVICE_REPORT_RECEIVED: service_reported})]
