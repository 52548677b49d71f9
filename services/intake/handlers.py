"""Intake's AMQP handlers: municipal events from `kotopolku.inbound`.

Each handler checks that the event's source may publish for its municipality, then calls
service.py inside the consumer's unit of work. What can never succeed is Rejected (dead-lettered
with the reason); a client not known yet is retried later, as its registration may be on the way.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.common import WorkflowIDConflictPolicy

from services.intake import service
from services.intake.models import AssessmentRequested, JobseekerRegistered, ResidentMoved, ResidentRegistered, ServiceReported
from services.intake.workflows import ClientPathWorkflow, path_workflow_id
from shared.contracts import (
    ASSESSMENT_REQUESTED,
    INBOUND_DEAD_QUEUE,
    INBOUND_EXCHANGE,
    JOBSEEKER_REGISTERED,
    RESIDENT_MOVED,
    RESIDENT_REGISTERED,
    SERVICE_REPORTED,
    task_queue,
)
from shared.contracts import ASSESSMENT_MOVED_SIGNAL, AssessmentMoved, assessment_workflow_id
from shared.envelope import Envelope
from shared.policy import assessment_timings
from shared.messaging import Rejected, Subscription, parse_data
from shared.service import ServiceContext

INBOUND_QUEUE = "kotopolku.intake.inbound"


@contextmanager
def refusals():
    """Domain refusals become dead letters with their reason."""
    try:
        yield
    except (service.SourceNotAllowed, service.WrongMunicipality) as error:
        raise Rejected(str(error)) from None


class InboundHandlers:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.data_key = ctx.settings.data_key_bytes

    async def resident_registered(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(ResidentRegistered, event)
        with refusals():
            await service.check_source(session, event.source, [data.municipality_code])
        registration = await service.register_resident(
            session, event=event, data=data, policy=self.ctx.policy.for_municipality(data.municipality_code), data_key=self.data_key
        )
        await self._open_path(session, registration)

    async def jobseeker_registered(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(JobseekerRegistered, event)
        with refusals():
            await service.check_source(session, event.source, [data.municipality_code])
            await service.register_jobseeker(session, event=event, data=data, data_key=self.data_key)

    async def resident_moved(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(ResidentMoved, event)
        with refusals():
            # Reported by either municipality's system (or a national register registered for both).
            await service.check_source(session, event.source, [data.from_municipality_code, data.to_municipality_code], any_of=True)
            client = await service.move_client(session, event=event, data=data, data_key=self.data_key)
        await self._tell_assessment_of_move(session, client, data)

    async def _tell_assessment_of_move(self, session: AsyncSession, client, data: ResidentMoved) -> None:
        """The assessment cancels in the old municipality and re-opens in the new one (the same
        move reported again changes nothing there either)."""
        case = await service.case_of(session, client.id)
        moved = AssessmentMoved(
            to_municipality_code=data.to_municipality_code,
            from_municipality_code=data.from_municipality_code,
            moved_on=data.moved_on,
            timings=assessment_timings(self.ctx.policy.for_municipality(data.to_municipality_code)),
        )
        await service.send_workflow_signals(
            self.ctx.require_temporal(), [service.WorkflowSignal(assessment_workflow_id(case.id), ASSESSMENT_MOVED_SIGNAL, moved)]
        )

    async def assessment_requested(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(AssessmentRequested, event)
        with refusals():
            await service.check_source(session, event.source, [data.municipality_code])
        registration = await service.request_assessment(
            session, event=event, data=data, policy=self.ctx.policy.for_municipality(data.municipality_code), data_key=self.data_key
        )
        await self._open_path(session, registration)

    async def service_reported(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(ServiceReported, event)
        with refusals():
            await service.forward_service_report(session, event=event, data=data, data_key=self.data_key)

    async def _open_path(self, session: AsyncSession, registration: service.Registration) -> None:
        """Start a new eligible client's path; a recruitment notice waiting for them arrives, and
        the path learns of the job."""
        if registration.path is None:
            return
        matching = await service.match_notices_for_client(session, registration.client)
        temporal = self.ctx.require_temporal()
        # Started before the commit and idempotent by id: a redelivery after a crash finds it running.
        await temporal.start_workflow(
            ClientPathWorkflow.run,
            registration.path,
            id=path_workflow_id(registration.client.id),
            task_queue=task_queue("intake"),
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        await service.send_workflow_signals(temporal, matching.signals)

    def subscription(self) -> Subscription:
        return Subscription(
            queue=INBOUND_QUEUE,
            # Everything: an unknown type is dead-lettered with its reason, not lost.
            bindings=[(INBOUND_EXCHANGE, "#")],
            dead_letter_queue=INBOUND_DEAD_QUEUE,
            handlers={
                RESIDENT_REGISTERED: self.resident_registered,
                JOBSEEKER_REGISTERED: self.jobseeker_registered,
                RESIDENT_MOVED: self.resident_moved,
                ASSESSMENT_REQUESTED: self.assessment_requested,
                SERVICE_REPORTED: self.service_reported,
            },
        )
