"""The only writer of a staff decision on a client's groups: recorded on the client with its
reason and author, on the case's timeline and in the access log in the same unit of work."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase, ClientGroups
from services.intake.case_events import announce_case, publish_client_recorded
from shared.access import RecordRead, log_reads
from shared.auth import StaffUser, scoped
from shared.client_groups import ordered
from shared.clock import now
from shared.refusals import Conflict, NotFound
from shared.text import PrintableParagraphs

DECIDED = "client_groups.decided"  # the timeline's reason and the access log's action


class ClientGroupsDecision(ClientGroups):
    """The client's groups as they are now (the whole list: a group left out is no longer
    recorded), an unaccompanied minor's guardian or representative, and why."""

    reason: PrintableParagraphs = Field(min_length=1, max_length=2000)


async def decide_groups(session: AsyncSession, *, user: StaffUser, case_id: UUID, decision: ClientGroupsDecision) -> ClientCase:
    query = scoped(select(ClientCase, Client).join(Client, Client.id == ClientCase.client_id), ClientCase.municipality_code, user)
    row = (await session.exec(query.where(ClientCase.id == case_id))).first()
    if row is None:
        raise NotFound("case_not_found")
    case, client = row
    groups = ordered(decision.client_groups)
    guardian = decision.guardian.model_dump(exclude_none=True) if decision.guardian else None
    if groups == client.client_groups and guardian == client.guardian:
        raise Conflict("client_groups_unchanged")
    actor = user.name or user.sub
    client.client_groups, client.guardian = groups, guardian
    client.client_groups_decision, client.client_groups_decided_by, client.client_groups_decided_at = decision.reason, actor, now()
    session.add(client)
    publish_client_recorded(session, client, case)
    announce_case(session, case, f"{DECIDED}: {', '.join(groups) or '-'}: {decision.reason}", changed_by=actor)
    # Who changed what is said of the client (docs/access-log.md): the decision is a use of their data.
    log_reads(session, service="intake", user=user, action=DECIDED,
              records=[RecordRead(kind="client", record_id=client.id, municipality_code=case.municipality_code,
                                 client_id=client.id, case_id=case.id)])
    return case
