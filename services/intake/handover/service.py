"""Intake's rows of the Koto-AJ data set (shared/koto_aj.py), from its own tables only: the
clients whose records the municipality hands over (not jobseekers: theirs are the employment
authority's), each one's identity (the sealed identity code opened only here) and the closures."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase
from shared.contracts import CaseStatus, Stage
from shared.clock import FINNISH_TIME
from shared.crypto import unseal
from shared.koto_aj import ClientData, ClosureData, Row

# Closed without a path the municipality recorded: nothing to hand over.
NOT_HANDED_OVER = {CaseStatus.not_eligible}


async def municipal_clients(session: AsyncSession, municipalities: list[str] | None) -> set[UUID]:
    """The clients whose assessments and plans are the municipality's record: those it leads (not
    jobseekers, nor clients handed to the employment authority by a decision)."""
    query = select(Client.id).where(Client.lead == "municipality")
    if municipalities:
        query = query.where(Client.municipality_code.in_(municipalities))
    return set((await session.exec(query)).all())


async def closure_rows(session: AsyncSession, *, start: datetime, end: datetime, clients: set[UUID]) -> list[Row]:
    """Cases of those clients closed in the period, with the reason (the closed status)."""
    query = select(ClientCase).where(
        ClientCase.stage == Stage.closed, ClientCase.updated_at >= start, ClientCase.updated_at < end
    )
    rows = []
    for case in (await session.exec(query)).all():
        if case.client_id not in clients or case.status in NOT_HANDED_OVER:
            continue
        closed = ClosureData(
            case_id=case.id, client_id=case.client_id, municipality_code=case.municipality_code,
            closed_on=case.updated_at.astimezone(FINNISH_TIME).date(), reason=case.status,
        )
        rows.append(Row.of("closure", case.id, closed, case_id=case.id))
    return rows


async def client_rows(session: AsyncSession, client_ids: set[UUID], *, data_key: bytes) -> list[Row]:
    """Each named client as they are now (a move shows as a new version with the new municipality)."""
    rows = []
    for client_id in sorted(client_ids):
        client = await session.get(Client, client_id)
        if client is None:
            continue
        code = unseal(data_key, client.identity_code_sealed).decode() if client.identity_code_sealed else None
        data = ClientData(
            client_id=client.id, municipality_code=client.municipality_code, personal_identity_code=code,
            given_names=client.given_names, family_name=client.family_name, birth_date=client.birth_date, sex=client.sex,
            nationality=client.nationality, native_language=client.native_language,
            preferred_languages=list(client.preferred_languages or []), residence_basis=client.residence_basis,
            first_permit_or_registration_on=client.first_permit_or_registration_on, registered_on=client.registered_on,
            target_group=client.target_group, target_group_decision=client.target_group_decision, household_id=client.household_id,
        )
        rows.append(Row.of("client", client.id, data))
    return rows
