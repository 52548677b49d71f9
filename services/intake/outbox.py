"""What intake tells the other services besides its case updates: who is to be told what."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import INTERNAL_EXCHANGE, NOTIFICATION_REQUESTED, NotificationRequested, service_source
from shared.messaging import publish

SOURCE = service_source("intake")


def notify(
    session: AsyncSession,
    *,
    notification_id: uuid.UUID,
    kind: str,
    municipality_code: str,
    params: dict,
    subject: str,
    recipient_role: str = "caseworker",
    case_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
) -> None:
    """Ask the notifications service to tell a municipality's staff something (it decides how)."""
    message = NotificationRequested(
        notification_id=notification_id,
        kind=kind,
        municipality_code=municipality_code,
        recipient_role=recipient_role,
        case_id=case_id,
        client_id=client_id,
        params=params,
    )
    publish(session, type=NOTIFICATION_REQUESTED, source=SOURCE, data=message, subject=subject, exchange=INTERNAL_EXCHANGE)
