"""The only writer of a staff decision on who leads: recorded on the client with its reason and
author, on the case's timeline in the same unit of work."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.identity import DecisionRefused, Lead, decide_lead_by_staff
from services.intake.models import Client, ClientCase
from services.intake.case_events import announce_case, publish_client_recorded
from shared.auth import StaffUser, scoped
from shared.clock import now
from shared.refusals import Conflict, NotFound
from shared.text import PrintableParagraphs


class LeadDecision(BaseModel):
    """Hand a client who is not a jobseeker to the employment authority (its rules and meetings
    then; its plan is not the municipality's record), or take them back."""

    model_config = ConfigDict(extra="forbid")

    lead: Lead
    reason: PrintableParagraphs = Field(min_length=1, max_length=2000)


async def decide_lead(session: AsyncSession, *, user: StaffUser, case_id: UUID, decision: LeadDecision) -> ClientCase:
    query = scoped(select(ClientCase, Client).join(Client, Client.id == ClientCase.client_id), ClientCase.municipality_code, user)
    row = (await session.exec(query.where(ClientCase.id == case_id))).first()
    if row is None:
        raise NotFound("case_not_found")
    case, client = row
    try:
        client.lead = decide_lead_by_staff(lead=client.lead, jobseeker=client.jobseeker, to=decision.lead)
    except DecisionRefused as refused:
        raise Conflict(refused.code) from None
    actor = user.name or user.sub
    client.lead_decision, client.lead_decided_by, client.lead_decided_at = decision.reason, actor, now()
    session.add(client)
    publish_client_recorded(session, client, case)
    announce_case(session, case, f"lead.decided.{client.lead}: {decision.reason}", changed_by=actor)
    return case
