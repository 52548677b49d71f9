"""The only writer of a client's language needs after registration: recorded on the client, told
to the other services' views (`client.recorded`), to the client's path and plan (`language_needs`
signals: the plan's referrals and review meetings tell the interpreter need) and on the case's
timeline in one unit of work."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase, LanguageNeeds
from services.intake.case_events import announce_case, publish_client_recorded
from services.intake.workflows import path_workflow_id
from shared.auth import StaffUser, scoped
from shared.contracts import LANGUAGE_NEEDS_SIGNAL, LanguageNeedsChanged, plan_workflow_id
from shared.refusals import NotFound
from shared.workflow_commands import signal_workflow


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
    # The path passes it to a plan it starts later; a running plan hears it at once. Either may
    # not exist (no path, no plan yet, ended): the relay then has nothing to tell.
    changed = LanguageNeedsChanged(interpreter_language=client.interpreter_language, interpreter_dialect=client.interpreter_dialect)
    signal_workflow(session, path_workflow_id(client.id), LANGUAGE_NEEDS_SIGNAL, changed)
    signal_workflow(session, plan_workflow_id(case.id), LANGUAGE_NEEDS_SIGNAL, changed)
    interpreter = f"{client.interpreter_language}" + (f" ({client.interpreter_dialect})" if client.interpreter_dialect else "") if needs.interpreter else "-"
    announce_case(
        session, case, f"language_needs.recorded: interpreter {interpreter}, integration language {client.integration_language or '-'}",
        changed_by=user.name or user.sub,
    )
    return case
