"""Intake's AMQP handlers: municipal events from `kotopolku.inbound`.

The convention of every service's handlers.py: each handler is a module-level
`async def handler(ctx, session, event)` working in the consumer's unit of work, and
`subscriptions(ctx)` binds them to their queues. Each handler here checks that the event's source
may publish for its municipality, then calls the service. What can never succeed is refused
(dead-lettered with the reason); a client not known yet is retried later, as its registration
may be on the way.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake import service
from services.intake import known_clients
from services.intake.models import AssessmentRequested, JobseekerDeregistered, JobseekerRegistered, ResidentMoved, ResidentRegistered, ServiceReported
from services.intake.notices.matching.service import match_notices_for_client
from services.intake.signals import WorkflowSignal, send_workflow_signals
from services.intake.sources.service import authenticated_source, check_source
from shared.contracts import (
    ASSESSMENT_MOVED_SIGNAL,
    ASSESSMENT_REQUESTED,
    INBOUND_DEAD_QUEUE,
    INBOUND_EXCHANGE,
    JOBSEEKER_DEREGISTERED,
    JOBSEEKER_REGISTERED,
    PLAN_MOVED_SIGNAL,
    RESIDENT_MOVED,
    RESIDENT_REGISTERED,
    SERVICE_REPORTED,
    AssessmentMoved,
    ClientMoved,
    assessment_workflow_id,
    plan_workflow_id,
)
from shared.envelope import Envelope
from shared.subscription import Subscription, parse_data
from shared.policy import assessment_timings
from shared.service import ServiceContext

INBOUND_QUEUE = "kotopolku.intake.inbound"


async def resident_registered(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await register_and_open_path(ctx, session, event, ResidentRegistered, service.register_resident)


async def jobseeker_registered(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    data = parse_data(JobseekerRegistered, event)
    await check_source(session, event, [data.municipality_code])
    await known_clients.register_jobseeker(session, event=event, data=data, data_key=ctx.settings.data_key_bytes)


async def jobseeker_deregistered(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    data = parse_data(JobseekerDeregistered, event)
    await check_source(session, event, [data.municipality_code])
    await known_clients.deregister_jobseeker(session, event=event, data=data, data_key=ctx.settings.data_key_bytes)


async def resident_moved(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    data = parse_data(ResidentMoved, event)
    await check_move_source(ctx, session, event, data)
    client = await known_clients.move_client(session, event=event, data=data, data_key=ctx.settings.data_key_bytes)
    await tell_path_of_move(ctx, session, client, data)


async def check_move_source(ctx: ServiceContext, session: AsyncSession, event: Envelope, data: ResidentMoved) -> None:
    """A move is reported by a system registered for the municipality the client lives in now,
    refused in words that do not tell where the client lives. A client not known yet is looked for
    again later (ClientNotKnown is retried), as for every other report: the registration may be on
    its way."""
    registered = await authenticated_source(session, event)
    client = await known_clients.resolve_person(session, data.person_ref, source=event.source, data_key=ctx.settings.data_key_bytes)
    if not registered.may_publish_for(client.municipality_code):
        raise known_clients.not_the_sources_client(event.source, "a move")


async def tell_path_of_move(ctx: ServiceContext, session: AsyncSession, client, data: ResidentMoved) -> None:
    """The assessment cancels in the old municipality and re-opens in the new one; a plan goes on
    in the new one. Whichever of them is not running (not yet, or no longer) has nothing to learn:
    its signal is dropped. The same move reported again changes nothing."""
    case = await service.case_of(session, client.id)
    moved = ClientMoved(
        to_municipality_code=data.to_municipality_code, from_municipality_code=data.from_municipality_code, moved_on=data.moved_on
    )
    timings = assessment_timings(ctx.policy.for_municipality(data.to_municipality_code))
    send_workflow_signals(session, [
        WorkflowSignal(assessment_workflow_id(case.id), ASSESSMENT_MOVED_SIGNAL, AssessmentMoved(**moved.model_dump(), timings=timings)),
        WorkflowSignal(plan_workflow_id(case.id), PLAN_MOVED_SIGNAL, moved),
    ])


async def assessment_requested(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await register_and_open_path(ctx, session, event, AssessmentRequested, known_clients.request_assessment)


async def service_reported(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    data = parse_data(ServiceReported, event)
    await known_clients.forward_service_report(session, event=event, data=data, data_key=ctx.settings.data_key_bytes)


async def register_and_open_path(
    ctx: ServiceContext,
    session: AsyncSession,
    event: Envelope,
    payload: type[ResidentRegistered] | type[AssessmentRequested],
    register: Callable[..., Awaitable[service.Registration]],
) -> None:
    """An event that may make someone a client: its source must publish for the municipality it
    names; the client is recorded under that municipality's policy and their path opens."""
    data = parse_data(payload, event)
    await check_source(session, event, [data.municipality_code])
    registration = await register(
        session, event=event, data=data, policy=ctx.policy.for_municipality(data.municipality_code),
        data_key=ctx.settings.data_key_bytes,
    )
    await open_path(ctx, session, registration)


async def open_path(ctx: ServiceContext, session: AsyncSession, registration: service.Registration) -> None:
    """Start the path of a client whose statutory clock runs; a recruitment notice waiting for
    them arrives (for those offered guidance or waiting for triage too), and a path learns of the job."""
    if not registration.matches_notices:
        return
    matching = await match_notices_for_client(session, registration.client, just_recorded=registration.created)
    if registration.path is not None:
        # Started once the registration commits, idempotent by id: a redelivery finds it running.
        await service.start_path(session, registration.case, registration.path)
    send_workflow_signals(session, matching.signals)


# The inbound events intake handles, by type.
HANDLERS = {
    RESIDENT_REGISTERED: resident_registered,
    JOBSEEKER_REGISTERED: jobseeker_registered,
    JOBSEEKER_DEREGISTERED: jobseeker_deregistered,
    RESIDENT_MOVED: resident_moved,
    ASSESSMENT_REQUESTED: assessment_requested,
    SERVICE_REPORTED: service_reported,
}


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    # Bound to everything: an unknown type is dead-lettered with its reason, not lost.
    return [Subscription.of_service(ctx, INBOUND_QUEUE, INBOUND_EXCHANGE, HANDLERS, routing_keys=["#"], dead_letter_queue=INBOUND_DEAD_QUEUE)]
