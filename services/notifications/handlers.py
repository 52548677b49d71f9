"""The notifications service's AMQP handlers: case updates, client records, notification requests.

Module-level `async def handler(ctx, session, event)` functions, bound by `subscriptions(ctx)`:
the convention of every service's handlers.py."""

from __future__ import annotations

from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import service
from shared.contracts import (
    CASE_UPDATED,
    CLIENT_RECORDED,
    EVENTS_EXCHANGE,
    INTERNAL_EXCHANGE,
    NOTIFICATION_REQUESTED,
    CaseUpdated,
    ClientRecorded,
    NotificationRequested,
)
from shared.envelope import Envelope
from shared.messaging import Subscription, parse_data
from shared.service import ServiceContext

QUEUE = "kotopolku.notifications"


async def case_updated(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.apply_case_updated(session, parse_data(CaseUpdated, event))


async def client_recorded(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.apply_client_recorded(session, parse_data(ClientRecorded, event))


async def notification_requested(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.record_notification(session, parse_data(NotificationRequested, event))


async def wake_streams(ctx: ServiceContext, event: Envelope) -> None:
    """After a case update commits, the live streams of this process look at once."""
    if event.type == CASE_UPDATED:
        await service.case_feed(ctx).notify()


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    handlers = {CASE_UPDATED: case_updated, CLIENT_RECORDED: client_recorded, NOTIFICATION_REQUESTED: notification_requested}
    return [
        Subscription(
            queue=QUEUE,
            bindings=[(EVENTS_EXCHANGE, CASE_UPDATED), (INTERNAL_EXCHANGE, CLIENT_RECORDED), (INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED)],
            handlers={event_type: partial(handler, ctx) for event_type, handler in handlers.items()},
            on_committed=partial(wake_streams, ctx),
        )
    ]
