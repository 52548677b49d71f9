"""The notifications service's AMQP handlers: case updates, client records, notification requests."""

from __future__ import annotations

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

QUEUE = "kotopolku.notifications"


class NotificationHandlers:
    def __init__(self, feed: service.CaseFeed) -> None:
        self.feed = feed

    async def case_updated(self, session: AsyncSession, event: Envelope) -> None:
        await service.apply_case_updated(session, parse_data(CaseUpdated, event))

    async def client_recorded(self, session: AsyncSession, event: Envelope) -> None:
        await service.apply_client_recorded(session, parse_data(ClientRecorded, event))

    async def notification_requested(self, session: AsyncSession, event: Envelope) -> None:
        await service.record_notification(session, parse_data(NotificationRequested, event))

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription(
                queue=QUEUE,
                bindings=[(EVENTS_EXCHANGE, CASE_UPDATED), (INTERNAL_EXCHANGE, CLIENT_RECORDED), (INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED)],
                handlers={
                    CASE_UPDATED: self.case_updated,
                    CLIENT_RECORDED: self.client_recorded,
                    NOTIFICATION_REQUESTED: self.notification_requested,
                },
                on_committed=self._wake_streams,
            )
        ]

    async def _wake_streams(self, event: Envelope) -> None:
        if event.type == CASE_UPDATED:
            await self.feed.notify()
