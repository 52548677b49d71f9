"""Every event on `kotopolku.events`, whatever its type, becomes a delivery for each webhook
subscription that wants it: the queue is bound to all of them (`#`), so event types added later
flow through without a change here."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.webhooks import service
from services.notifications.webhooks.delivery import wakeup
from shared.subscription import Subscription
from shared.contracts import EVENTS_EXCHANGE
from shared.envelope import Envelope
from shared.service import ServiceContext

QUEUE = "kotopolku.notifications.webhooks"


async def event_published(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> int:
    return await service.record_event(session, event)


class EveryType(dict):
    """A handler table that answers every event type with the same handler."""

    def __init__(self, handler) -> None:
        super().__init__()
        self.handler = handler

    def get(self, event_type, default=None):
        return self.handler


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    # Events that made deliveries: only their commit wakes the delivery loop (most events are
    # wanted by no subscription, and a wake costs the loop a round of queries).
    recorded: set[tuple[str, str]] = set()

    async def handle(session: AsyncSession, event: Envelope) -> bool:
        if not await event_published(ctx, session, event):
            return False  # wanted by no subscription: nothing to record, not even the inbox row
        recorded.add((event.source, event.id))
        return True

    async def committed(event: Envelope) -> None:
        if (event.source, event.id) in recorded:
            recorded.discard((event.source, event.id))
            wakeup(ctx).wake()

    return [Subscription(queue=QUEUE, bindings=[(EVENTS_EXCHANGE, "#")], handlers=EveryType(handle), on_committed=committed, inbox_scope=QUEUE,
                         inbox_only_when_written=True)]
