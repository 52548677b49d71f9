"""The hand-over to the employment authority (issue 16): the assessments and plans of the clients
it leads — jobseekers, or clients handed to it by a recorded decision — are its record, not the
municipality's, so they are not in the Koto-AJ export (handover/service.py); each is published
instead as an event of the `fi.kotopolku.jobseeker.` family (shared.contracts.
HANDED_TO_EMPLOYMENT_AUTHORITY) with the same data as the domain event it follows — the case's
ids and dates, no identity code, no content of the assessment or plan (docs/koto-aj.md)."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase
from shared.contracts import HANDED_TO_EMPLOYMENT_AUTHORITY

EMPLOYMENT_AUTHORITY = "employment_authority"  # Client.lead


def handed_over(events: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The hand-over events that follow these domain events, for a client the authority leads."""
    return [(HANDED_TO_EMPLOYMENT_AUTHORITY[event_type], data) for event_type, data in events if event_type in HANDED_TO_EMPLOYMENT_AUTHORITY]


async def led_by_employment_authority(session: AsyncSession, case: ClientCase) -> bool:
    """Whether the case's client is led by the employment authority now (when the fact happened)."""
    client = await session.get(Client, case.client_id)
    return client is not None and client.lead == EMPLOYMENT_AUTHORITY
