"""The only writer of a client's language needs after registration: recorded on the client, told
to the other services' views (`client.recorded`) and on the case's timeline in one unit of work."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase, LanguageNeeds
from services.intake.service import announce_case, publish_client_recorded
from shared.auth import StaffUser, scoped
from shared.refusals import NotFound


async def record_language_needs(session: AsyncSession, *, user: StaffUser, case_id: UUID, needs: LanguageNeeds) -> ClientCase:
    """Replaces what was known: no interpreter given means none is needed."""
    query = scoped(select(ClientCase, Client).join(Client, Client.id == ClientCase.client_id), ClientCase.municipality_code, user)
    row = (await session.exec(query.where(ClientCase.id == case_id))).first()
    if row is None:
        raise NotFound("case_not_found")
    case, client = row
    client.interpreter_language = needs.interpreter.language if needs.interpreter else None
    client.interpreter_dialect = needs.interpreter.dialect if needs.interpreter else None
    client.integration_language = needs.integration_language
    session.add(client)
    publish_client_recorded(session, client, case)
    interpreter = f"{client.interpreter_language}" + (f" ({client.interpreter_dialect})" if client.interpreter_dialect else "") if needs.interpreter else "-"
    announce_case(
        session, case, f"language_needs.recorded: interpreter {interpreter}, integration language {client.integration_language or '-'}",
        changed_by=user.name or user.sub,
    )
    return case
