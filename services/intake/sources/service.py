"""Producing systems: who may publish on kotopolku.inbound, for which municipalities, as which
broker user.

A message's producer is who the broker says it is: each system publishes with its own RabbitMQ
user and sets the AMQP `user_id` property, which RabbitMQ checks against the connection's login.
The event's `source` names the registered system; the message is accepted only when its `user_id`
is that system's broker user."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.sources.models import DEFAULT_BROKER_USER, ProducingSource
from shared.clock import now
from shared.envelope import Envelope
from shared.subscription import Rejected


class SourceNotAllowed(Rejected):
    """The event's source is not registered for the municipality, or the message was not published
    by the source's broker user: it is dead-lettered saying which."""


def broker_user_of(event: Envelope) -> str | None:
    """The AMQP `user_id` the broker validated, as the consumer set it on the envelope (only the
    instance's own attribute: never something the CloudEvent itself carried)."""
    value = vars(event).get("_broker_user")
    return value if isinstance(value, str) and value else None


async def register_source(
    session: AsyncSession, *, source: str, name: str, municipalities: list[str], broker_user: str | None = None
) -> ProducingSource:
    """Add a producing system, or extend the municipalities an existing one may publish for (and
    change its broker user when one is given)."""
    existing = await session.get(ProducingSource, source)
    if existing is None:
        existing = ProducingSource(
            source=source, name=name, municipalities=sorted(set(municipalities)), created_at=now(),
            broker_user=broker_user or DEFAULT_BROKER_USER,
        )
    else:
        existing.name = name or existing.name
        existing.municipalities = sorted(set(existing.municipalities) | set(municipalities))
        existing.broker_user = broker_user or existing.broker_user
    session.add(existing)
    return existing


async def remove_source(session: AsyncSession, source: str) -> bool:
    existing = await session.get(ProducingSource, source)
    if existing is not None:
        await session.delete(existing)
    return existing is not None


async def list_sources(session: AsyncSession) -> list[ProducingSource]:
    return list(await session.exec(select(ProducingSource).order_by(ProducingSource.source)))


async def authenticated_source(session: AsyncSession, event: Envelope) -> ProducingSource:
    """The registered system the event comes from: its `source` is registered and the message was
    published by that system's broker user (else SourceNotAllowed)."""
    registered = await session.get(ProducingSource, event.source)
    if registered is None:
        raise SourceNotAllowed(f"source {event.source!r} is not registered to publish events (kotopolku sources add)")
    user = broker_user_of(event)
    if user is None:
        raise SourceNotAllowed(
            f"the message has no AMQP user_id: source {event.source!r} must publish as broker user {registered.broker_user!r} "
            "and set user_id"
        )
    if user != registered.broker_user:
        raise SourceNotAllowed(f"source {event.source!r} publishes as broker user {registered.broker_user!r}, not {user!r}")
    return registered


async def check_source(session: AsyncSession, event: Envelope, municipality_codes: list[str]) -> ProducingSource:
    """Refuse an event that its source's broker user did not publish, or whose source may not
    publish for each of its municipalities."""
    registered = await authenticated_source(session, event)
    missing = [code for code in municipality_codes if not registered.may_publish_for(code)]
    if missing:
        raise SourceNotAllowed(f"source {event.source!r} is not registered for municipality {', '.join(missing)}")
    return registered
