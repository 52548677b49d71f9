"""What intake tells about its clients and cases, always in the caller's transaction (it leaves
only if that commits): a case's change twice — `case.updated` for the outside world (CONTRACT §3)
and the internal `case.changed` for staff views — the domain events of what happened (CONTRACT §3),
and the client record for staff views (the internal `client.recorded`). The writers of the records
are in service.py."""

from __future__ import annotations

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.models import Client, ClientCase
from services.intake.outbox import SOURCE
from shared import domain_events, lifecycle
from shared.clock import FINNISH_TIME, now
from shared.contracts import (
    CASE_CHANGED,
    CASE_UPDATED,
    CLIENT_RECORDED,
    EVENTS_EXCHANGE,
    INTERNAL_EXCHANGE,
    CaseChanged,
    ClientRecorded,
    Deadline,
    Stage,
    from_record,
)
from shared.lifecycle import Fact
from shared.messaging import publish


def publish_case_changed(session: AsyncSession, case: ClientCase, reason: str, *, changed_by: str | None = None) -> None:
    """The change, twice: `case.updated` for the outside world (CONTRACT §3, exactly) and the
    internal `case.changed` (the same with the assignee and who made it) for staff views."""
    deadline = (
        Deadline(kind=case.next_deadline_kind, due_on=case.next_deadline_on) if case.next_deadline_kind else None
    )
    change = from_record(
        CaseChanged,
        case,
        case_id=case.id,
        next_deadline=deadline,
        deadlines=case.deadlines or ([deadline] if deadline else []),
        changed_at=case.updated_at,
        reason=reason,
        changed_by=changed_by,
        client=session.info.get(CLIENT_WITH_NEXT_CHANGE, {}).pop(case.id, None),
    )
    publish(session, type=CASE_UPDATED, source=SOURCE, data=change.public(), exchange=EVENTS_EXCHANGE, subject=str(case.id))
    publish(session, type=CASE_CHANGED, source=SOURCE, data=change, exchange=INTERNAL_EXCHANGE, subject=str(case.id))


def publish_domain_events(session: AsyncSession, case: ClientCase, fact: Fact, before: Stage, details: dict) -> list[tuple[str, dict]]:
    """What happened, for subscribers (CONTRACT §3): in the change's transaction, after its
    case.updated, on intake's outbox, so that one case's events leave in the order they happened."""
    events = lifecycle.domain_events(fact, before, details, case.updated_at.astimezone(FINNISH_TIME).date().isoformat())
    for event_type, data in events:
        publish_domain_event(session, case, event_type, data)
    return events


def publish_domain_event(session: AsyncSession, case: ClientCase, event_type: str, data: dict) -> None:
    """One domain event of the case on kotopolku.events (`data`: its fields but the case's ids)."""
    domain_events.publish_domain_event(
        session, source=SOURCE, case_id=case.id, client_id=case.client_id, municipality_code=case.municipality_code,
        event_type=event_type, data=data,
    )


def publish_client_recorded(session: AsyncSession, client: Client, case: ClientCase, *, with_next_change: bool = False) -> None:
    """Who the client is, for the notifications service. `with_next_change`: on the case's next
    change in this transaction (`case.changed`'s `client`): a registration is then one internal
    event instead of two; should no change follow, it leaves on its own at the commit."""
    recorded = from_record(ClientRecorded, client, client_id=client.id, case_id=case.id)
    if with_next_change:
        session.info.setdefault(CLIENT_WITH_NEXT_CHANGE, {})[case.id] = recorded
        return
    publish(session, type=CLIENT_RECORDED, source=SOURCE, data=recorded, subject=str(client.id), exchange=INTERNAL_EXCHANGE)


CLIENT_WITH_NEXT_CHANGE = "client_recorded_with_next_change"  # in session.info: case id → ClientRecorded


@sa_event.listens_for(Session, "before_commit")
def _publish_clients_left_waiting(session: Session) -> None:
    for recorded in session.info.pop(CLIENT_WITH_NEXT_CHANGE, {}).values():
        publish(session, type=CLIENT_RECORDED, source=SOURCE, data=recorded, subject=str(recorded.client_id), exchange=INTERNAL_EXCHANGE)  # type: ignore[arg-type]


@sa_event.listens_for(Session, "after_rollback")
def _forget_clients_waiting(session: Session) -> None:
    session.info.pop(CLIENT_WITH_NEXT_CHANGE, None)


def announce_case(session: AsyncSession, case: ClientCase, reason: str, *, changed_by: str | None = None) -> None:
    """A case.updated without a change of stage: the timeline shows what happened and why."""
    case.updated_at = now()
    session.add(case)
    publish_case_changed(session, case, reason, changed_by=changed_by)
