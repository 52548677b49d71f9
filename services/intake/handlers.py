"""Intake's AMQP handlers: municipal events from `kotopolku.inbound`."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.common import WorkflowIDConflictPolicy

from services.intake import service
from services.intake.models import ResidentRegistered
from services.intake.workflows import ClientPathWorkflow, path_workflow_id
from shared.contracts import INBOUND_DEAD_QUEUE, INBOUND_EXCHANGE, RESIDENT_REGISTERED, task_queue
from shared.envelope import Envelope
from shared.messaging import Subscription, parse_data
from shared.service import ServiceContext

INBOUND_QUEUE = "kotopolku.intake.inbound"


class InboundHandlers:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def resident_registered(self, session: AsyncSession, event: Envelope) -> None:
        data = parse_data(ResidentRegistered, event)
        registration = await service.register_resident(
            session,
            event=event,
            data=data,
            policy=self.ctx.policy.for_municipality(data.municipality_code),
            data_key=self.ctx.settings.data_key_bytes,
        )
        if registration.path is not None:
            # Started before the commit and idempotent by id: a redelivery after a crash finds it running.
            await self.ctx.require_temporal().start_workflow(
                ClientPathWorkflow.run,
                registration.path,
                id=path_workflow_id(registration.client.id),
                task_queue=task_queue("intake"),
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            )

    def subscription(self) -> Subscription:
        return Subscription(
            queue=INBOUND_QUEUE,
            # Everything: an unknown type is dead-lettered with its reason, not lost.
            bindings=[(INBOUND_EXCHANGE, "#")],
            dead_letter_queue=INBOUND_DEAD_QUEUE,
            handlers={RESIDENT_REGISTERED: self.resident_registered},
        )
