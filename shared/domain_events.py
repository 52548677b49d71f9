"""The one way a service puts a domain event of a case (CONTRACT §3, shared.contracts.DOMAIN_EVENTS)
in its outbox: on kotopolku.events, routing key = type, subject = the case, in the caller's
transaction."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import DOMAIN_EVENTS, EMPLOYMENT_AUTHORITY_EVENTS, EVENTS_EXCHANGE
from shared.messaging import publish


def publish_domain_event(
    session: AsyncSession, *, source: str, case_id: UUID, client_id: UUID, municipality_code: str, event_type: str, data: dict[str, Any]
) -> None:
    """`data`: the event's fields but the case's ids (validated by the event's model)."""
    model = DOMAIN_EVENTS.get(event_type) or EMPLOYMENT_AUTHORITY_EVENTS[event_type]  # the hand-over's too
    payload = model(case_id=case_id, client_id=client_id, municipality_code=municipality_code, **data)
    publish(session, type=event_type, source=source, data=payload, exchange=EVENTS_EXCHANGE, subject=str(case_id))
