"""The notifications service's AMQP handlers: case changes (the internal `case.changed`, which
carries the assignee and who made the change), client records, notification requests."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications import service
from shared.contracts import (
    CASE_CHANGED,
    CLIENT_RECORDED,
    INTERNAL_EXCHANGE,
    NOTIFICATION_REQUESTED,
    CaseChanged,
    ClientRecorded,
    NotificationRequested,
)
from shared.envelope import Envelope
from shared.messaging import Subscription, parse_data

QUEUE = "kotopolku.notifications"


class NotificationHandlers:
    def __init__(self, feed: service.CaseFeed) -> None:
        self.feed = feed

    async def case_changed(self, session: AsyncSession, event: Envelope) -> None:
        await service.apply_case_changed(session, parse_data(CaseChanged, event))

    async def client_recorded(self, session: AsyncSession, event: Envelope) -> None:
        await service.apply_client_recorded(session, parse_data(ClientRecorded, event))

    async def notification_requested(self, session: AsyncSession, event: Envelope) -> None:
        await service.record_notification(session, parse_data(NotificationRequested, event))

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription(
                queue=QUEUE,
                bindings=[(INTERNAL_EXCHANGE, CASE_CHANGED), (INTERNAL_EXCHANGE, CLIENT_RECORDED), (INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED)],
                handlers={
                    CASE_CHANGED: self.case_changed,
                    CLIENT_RECORDED: self.client_recorded,
                    NOTIFICATION_REQUESTED: self.notification_requested,
                },
                on_committed=self._wake_streams,
            )
        ]

    async def _wake_streams(self, event: Envelope) -> None:
        if event.type == CASE_CHANGED:
            await self.feed.notify()
