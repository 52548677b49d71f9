"""Intake's handler of another service's domain event: a jobseeker's corrected assessment is handed to
the employment authority.

Every other hand-over event follows its domain event in intake's own case change. A correction does
not move the case: the assessment service publishes it on its own outbox, and only intake knows who
leads the client. So intake reads `fi.kotopolku.assessment.corrected.v1` from `kotopolku.events` on
a queue of its own and, for a client the employment authority leads when the correction arrives,
publishes `fi.kotopolku.jobseeker.assessment.corrected.v1` with the same data (docs/koto-aj.md)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.case_events import publish_domain_event
from services.intake.handover import employment
from services.intake.models import ClientCase
from shared.subscription import Rejected, Subscription, parse_data
from shared.contracts import ASSESSMENT_CORRECTED, EVENTS_EXCHANGE, HANDED_TO_EMPLOYMENT_AUTHORITY, service_source
from shared.domain_contracts import AssessmentCorrected, DomainEvent
from shared.envelope import Envelope
from shared.service import ServiceContext

QUEUE = "kotopolku.intake.handover"
ASSESSMENT_SOURCE = service_source("assessment")


async def assessment_corrected(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    if event.source != ASSESSMENT_SOURCE:
        raise Rejected(f"{event.type} is the assessment service's event, not {event.source}'s")
    corrected = parse_data(AssessmentCorrected, event)
    case = await session.get(ClientCase, corrected.case_id)
    if case is None or case.client_id != corrected.client_id:
        raise Rejected(f"{event.type} names a case intake does not have")
    if await employment.led_by_employment_authority(session, case):
        data = corrected.model_dump(mode="json", exclude=set(DomainEvent.model_fields))
        publish_domain_event(session, case, HANDED_TO_EMPLOYMENT_AUTHORITY[ASSESSMENT_CORRECTED], data)


HANDLERS = {ASSESSMENT_CORRECTED: assessment_corrected}


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    # Its own inbox scope: the inbound queue's processed events are another queue's.
    return [Subscription.of_service(ctx, QUEUE, EVENTS_EXCHANGE, HANDLERS, inbox_scope=QUEUE)]
