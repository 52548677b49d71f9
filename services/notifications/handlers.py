"""The notifications service's AMQP handlers: case changes (the internal `case.changed`, which
carries the assignee and who made the change), client records, notification requests, and the
reads of personal data other services showed (`personal_data.read`, into the access log).

Module-level `async def handler(ctx, session, event)` functions, bound by `subscriptions(ctx)`:
the convention of every service's handlers.py."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import service
from shared.contracts import CASE_CHANGED, CLIENT_RECORDED, INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED, PERSONAL_DATA_READ
from shared.contracts import CaseChanged, ClientRecorded, NotificationRequested, PersonalDataRead
from shared.envelope import Envelope
from shared.subscription import Subscription, parse_data
from shared.service import ServiceContext

QUEUE = "kotopolku.notifications"


async def case_changed(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    change = parse_data(CaseChanged, event)
    if change.client is not None:  # a registration: who the client is came with the case's first change
        await service.apply_client_recorded(session, change.client, event.time)
    await service.apply_case_changed(session, change)


async def client_recorded(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.apply_client_recorded(session, parse_data(ClientRecorded, event), event.time)


async def notification_requested(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.record_notification(session, parse_data(NotificationRequested, event))


async def personal_data_read(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await service.record_reads(session, parse_data(PersonalDataRead, event))


async def wake_streams(ctx: ServiceContext, event: Envelope) -> None:
    """After a case change commits, the live streams of this process look at once, and the reads
    waiting for that case (its subject, as intake publishes it)."""
    if event.type == CASE_CHANGED:
        try:
            case_id = UUID(event.subject or "")
        except ValueError:
            case_id = None
        await service.case_feed(ctx).notify(case_id)


# The internal events the notifications service handles, by type (its queue is bound to each).
HANDLERS = {
    CASE_CHANGED: case_changed,
    CLIENT_RECORDED: client_recorded,
    NOTIFICATION_REQUESTED: notification_requested,
    PERSONAL_DATA_READ: personal_data_read,
}


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    return [Subscription.of_service(ctx, QUEUE, INTERNAL_EXCHANGE, HANDLERS, on_committed=partial(wake_streams, ctx))]
