"""Producing systems: who may publish on kotopolku.inbound, for which municipalities."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.sources.models import ProducingSource
from shared.clock import now
from shared.messaging import Rejected


class SourceNotAllowed(Rejected):
    """The event's source is not registered for the municipality: it is dead-lettered saying which."""


async def register_source(session: AsyncSession, *, source: str, name: str, municipalities: list[str]) -> ProducingSource:
    """Add a producing system, or extend the municipalities an existing one may publish for."""
    existing = await session.get(ProducingSource, source)
    if existing is None:
        existing = ProducingSource(source=source, name=name, municipalities=sorted(set(municipalities)), created_at=now())
    else:
        existing.name = name or existing.name
        existing.municipalities = sorted(set(existing.municipalities) | set(municipalities))
    session.add(existing)
    return existing


async def remove_source(session: AsyncSession, source: str) -> bool:
    existing = await session.get(ProducingSource, source)
    if existing is not None:
        await session.delete(existing)
    return existing is not None


async def list_sources(session: AsyncSession) -> list[ProducingSource]:
    return list(await session.exec(select(ProducingSource).order_by(ProducingSource.source)))


async def check_source(session: AsyncSession, source: str, municipality_codes: list[str], *, any_of: bool = False) -> None:
    """Refuse an event whose source may not publish for its municipality (for a move: either end)."""
    registered = await session.get(ProducingSource, source)
    if registered is None:
        raise SourceNotAllowed(f"source {source!r} is not registered to publish events (kotopolku sources add)")
    allowed = [code for code in municipality_codes if registered.may_publish_for(code)]
    if (any_of and not allowed) or (not any_of and len(allowed) != len(municipality_codes)):
        missing = ", ".join(code for code in municipality_codes if code not in allowed)
        raise SourceNotAllowed(f"source {source!r} is not registered for municipality {missing}")
