"""Client messages' AMQP handlers: the domain events a client is told of, on kotopolku.events,
through a queue of their own (the convention of every service's handlers.py)."""

from __future__ import annotations

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.client_messages import service
from shared.subscription import Subscription
from shared.contracts import (
    ASSESSMENT_SCHEDULED, CASE_CLOSED, EVENTS_EXCHANGE, MEASURE_COMPLETED, MEASURE_STARTED, PLAN_ENDED, PLAN_MADE, PLAN_REVIEWED,
)
from shared.envelope import Envelope
from shared.service import ServiceContext

QUEUE = "kotopolku.notifications.client_messages"


async def tell_client(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.record_messages(session, event)


HANDLERS = {
    event_type: tell_client
    for event_type in (ASSESSMENT_SCHEDULED, PLAN_MADE, MEASURE_STARTED, MEASURE_COMPLETED, PLAN_REVIEWED, PLAN_ENDED, CASE_CLOSED)
}


def wake(ctx: ServiceContext):
    async def after_commit(event: Envelope) -> None:
        waiting(ctx).set()  # the delivery loop of this process looks at once

    return after_commit


def waiting(ctx: ServiceContext) -> asyncio.Event:
    return ctx.resources.setdefault("client_messages_waiting", asyncio.Event())


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    return [Subscription.of_service(ctx, QUEUE, EVENTS_EXCHANGE, HANDLERS, on_committed=wake(ctx), inbox_scope=QUEUE)]
