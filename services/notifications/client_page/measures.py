"""The plan's measures on the client's page: kept from the planning service's `measure.*` domain
events (the referral names the provider, the place, the language, the interpreter and the dates), as the
page's path is kept from `case.changed`. A completed measure, and the case's closure, open a
feedback question (feedback/service.py) in the same transaction."""

from __future__ import annotations

from uuid import UUID

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.notifications.client_page.models import ClientMeasure, MeasureOnPage
from services.notifications.feedback import service as feedback
from shared.subscription import Subscription, parse_data
from shared.contracts import (
    CASE_CLOSED,
    DOMAIN_EVENTS,
    EVENTS_EXCHANGE,
    MEASURE_COMPLETED,
    MEASURE_INTERRUPTED,
    MEASURE_REFERRED,
    MEASURE_STARTED,
)
from shared.envelope import Envelope
from shared.service import ServiceContext

QUEUE = "kotopolku.notifications.client_page"
STATUS = {MEASURE_REFERRED: "referred", MEASURE_STARTED: "started", MEASURE_COMPLETED: "completed", MEASURE_INTERRUPTED: "interrupted"}
# A measure's status moves forward only: a late referral never takes a started measure back.
RANK = {"referred": 0, "started": 1, "completed": 2, "interrupted": 2}
FROM_REFERRAL = ("provider", "place", "language", "interpreter_language", "starts_on", "ends_on")


async def apply_measure(session: AsyncSession, event: Envelope) -> ClientMeasure | None:
    data = parse_data(DOMAIN_EVENTS[event.type], event)
    if data.measure_id is None:  # a provider's report that matched no measure of the plan
        return None
    status = STATUS[event.type]
    row = await session.get(ClientMeasure, data.measure_id) or ClientMeasure(
        measure_id=data.measure_id, case_id=data.case_id, client_id=data.client_id, municipality_code=data.municipality_code,
        status=status, changed_on=data.on,
    )
    row.kind = data.kind or row.kind
    row.service_code = data.service_code or row.service_code
    row.municipality_code = data.municipality_code
    if event.type == MEASURE_REFERRED:
        for name in FROM_REFERRAL:
            setattr(row, name, getattr(data, name))
    if RANK[status] >= RANK[row.status]:
        row.status, row.changed_on = status, data.on
    session.add(row)
    return row


async def measures_of_case(session: AsyncSession, case_id: UUID) -> list[MeasureOnPage]:
    rows = await session.exec(select(ClientMeasure).where(ClientMeasure.case_id == case_id).order_by(ClientMeasure.starts_on, ClientMeasure.changed_on))
    return [MeasureOnPage.model_validate(row, from_attributes=True) for row in rows]


async def measure_changed(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    measure = await apply_measure(session, event)
    if measure is not None and event.type == MEASURE_COMPLETED:
        await feedback.ask_about_measure(session, event.id, measure)


async def case_closed(ctx: ServiceContext, session: AsyncSession, event: Envelope) -> None:
    await feedback.ask_at_closure(session, event)


HANDLERS = {**{event_type: measure_changed for event_type in STATUS}, CASE_CLOSED: case_closed}


def subscriptions(ctx: ServiceContext) -> list[Subscription]:
    return [Subscription.of_service(ctx, QUEUE, EVENTS_EXCHANGE, HANDLERS, inbox_scope=QUEUE)]
