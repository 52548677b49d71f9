"""The only writers of the service map, and the suggestions made from it."""

from __future__ import annotations

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.planning.servicemap.models import NATIONAL, ServiceItem, ServiceMapEntry, Suggestion
from shared import municipalities
from shared.auth import StaffUser
from shared.clock import now
from shared.refusals import Forbidden
from shared.rows import put_row

NEARNESS = ("municipality", "region", "remote")


def item(entry: ServiceMapEntry) -> ServiceItem:
    return ServiceItem.model_validate(entry.model_dump(exclude={"updated_at"}))


def manages(user: StaffUser, service: ServiceItem | ServiceMapEntry) -> bool:
    """A service of some municipalities is managed by who works for all of them; a region's by who
    works for every municipality of the region; a national one by administrators (docs/roles.md)."""
    if service.region == NATIONAL:
        return "admin" in user.roles
    offered_in = set(service.municipality_codes) or {m.code for m in municipalities.all_municipalities() if m.region == service.region}
    return offered_in <= set(user.municipalities)


async def authorise(session: AsyncSession, user: StaffUser, service_code: str, new: ServiceItem | None = None) -> ServiceMapEntry | None:
    """Refuse (403) unless the user manages both the service as it is and as it would become;
    the service as it is, or None."""
    existing = await session.get(ServiceMapEntry, service_code)
    for service in (existing, new):
        if service is not None and not manages(user, service):
            raise Forbidden("service_map_national" if service.region == NATIONAL else "service_map_not_yours", service_code=service_code)
    return existing


async def put_service(session: AsyncSession, service: ServiceItem) -> None:
    """Add the service, or replace the one with its code."""
    await put_row(session, ServiceMapEntry, **service.model_dump(mode="json"), updated_at=now())


async def remove_service(session: AsyncSession, service_code: str) -> bool:
    entry = await session.get(ServiceMapEntry, service_code)
    if entry is None:
        return False
    await session.delete(entry)
    return True


async def load_services(session: AsyncSession, services: list[ServiceItem]) -> int:
    """Load a catalogue (e.g. the example file): every service added or replaced by its code."""
    for service in services:
        await put_service(session, service)
    return len(services)


def listing(*, region: str | None = None, kind: str | None = None, example: bool | None = None):
    statement = select(ServiceMapEntry)
    if region is not None:
        statement = statement.where(ServiceMapEntry.region == region)
    if kind is not None:
        statement = statement.where(ServiceMapEntry.kind == kind)
    if example is not None:
        statement = statement.where(ServiceMapEntry.example == example)
    return statement.order_by(ServiceMapEntry.region, ServiceMapEntry.service_code)


def _nearness(entry: ServiceMapEntry, municipality_code: str) -> str | None:
    home = municipalities.get(municipality_code)
    in_region = home is not None and entry.region in (home.region, NATIONAL)
    if municipality_code in entry.municipality_codes:
        return "municipality"
    if in_region and not entry.municipality_codes:
        return "region"
    if entry.delivery in ("remote", "both"):
        return "remote"
    return "region" if in_region else None


def for_groups(entry: ServiceMapEntry, groups: list[str] | None) -> list[str] | None:
    """The client's groups the service is for (`[]`: a service for everyone); None when it is
    for groups the client is not in. A client whose groups are not known (None) may be offered
    any service: nobody is left without one because a register said too little."""
    if "all" in entry.client_groups or groups is None:
        return []
    reached = [group for group in groups if group in entry.client_groups]
    return reached or None


async def suggest(
    session: AsyncSession, *, municipality_code: str, needs: list[str], languages: list[str], groups: list[str] | None = None
) -> list[Suggestion]:
    """Services answering the needs (a service code or a measure kind), in a language the client
    knows (all, when none is known), for the client's groups (shared/client_groups.py map_groups;
    services for everyone too), that the client can reach: in the municipality first, then the
    region, then remote services elsewhere; among equally near ones, those for the client's own
    groups first."""
    if not needs:
        return []
    entries = (await session.exec(select(ServiceMapEntry))).all()
    found: list[Suggestion] = []
    for entry in entries:
        matches = [need for need in needs if need in (entry.service_code, entry.kind)]
        shared = [language for language in entry.languages if language in languages] if languages else list(entry.languages)
        nearness = _nearness(entry, municipality_code)
        reached = for_groups(entry, groups)
        if matches and shared and nearness and reached is not None:
            found.append(Suggestion(
                **item(entry).model_dump(), matches=matches, nearness=nearness, shared_languages=shared, matching_groups=reached,
            ))
    return sorted(found, key=lambda s: (NEARNESS.index(s.nearness), -len(s.matching_groups), -len(s.matches), s.service_code))
