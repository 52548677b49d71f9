"""The only writers of intake's tables and outbox. Each function works inside the caller's unit
of work: the change, its events and (for consumers) the inbox row commit together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.identity import decide_eligibility, decide_lead
from services.intake.models import CASE_TRANSITIONS, Client, ClientCase, ResidentRegistered
from services.intake.workflows import CaseChange, ClientPathInput, NotificationRequest, path_workflow_id
from shared.contracts import (
    CASE_UPDATED,
    CLIENT_RECORDED,
    EVENTS_EXCHANGE,
    INTERNAL_EXCHANGE,
    NOTIFICATION_REQUESTED,
    CaseStatus,
    CaseUpdated,
    ClientRecorded,
    Deadline,
    NotificationRequested,
    Stage,
    service_source,
)
from shared.crypto import lookup_hash, seal
from shared.envelope import Envelope
from shared.messaging import add_event
from shared.policy import Policy, add_months

SOURCE = service_source("intake")
FINNISH_TIME = ZoneInfo("Europe/Helsinki")
# Client and case ids derive from the registering source's own reference, so a redelivered event
# (even after a crash between starting the workflow and committing) names the same client.
ID_NAMESPACE = uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10")


class TransitionRefused(Exception):
    """The case can't move that way; the message says from where to where."""


def now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Registration:
    client: Client
    case: ClientCase
    created: bool
    path: ClientPathInput | None  # None when the client is not eligible: no path starts


async def find_client(session: AsyncSession, *, identity_hash: str | None, source: str, external_ref: str) -> Client | None:
    conditions = [(Client.source == source) & (Client.external_ref == external_ref)]
    if identity_hash:
        conditions.append(Client.identity_code_hash == identity_hash)
    return (await session.exec(select(Client).where(or_(*conditions)))).first()


async def case_of(session: AsyncSession, client_id: uuid.UUID) -> ClientCase:
    return (await session.exec(select(ClientCase).where(ClientCase.client_id == client_id))).one()


async def register_resident(
    session: AsyncSession, *, event: Envelope, data: ResidentRegistered, policy: Policy, data_key: bytes
) -> Registration:
    person = data.person
    identity_hash = lookup_hash(data_key, person.personal_identity_code.upper()) if person.personal_identity_code else None
    existing = await find_client(session, identity_hash=identity_hash, source=event.source, external_ref=data.external_ref)
    if existing is not None:
        case = await case_of(session, existing.id)
        return Registration(existing, case, created=False, path=None)

    eligibility = decide_eligibility(
        residence_basis=data.residence_basis,
        first_permit_or_registration_on=data.first_permit_or_registration_on,
        today=data.registered_on,
        window_years=policy.eligibility_window_years,
    )
    client_id = uuid.uuid5(ID_NAMESPACE, f"{event.source}\n{data.external_ref}")
    client = Client(
        id=client_id,
        municipality_code=data.municipality_code,
        source=event.source,
        external_ref=data.external_ref,
        identity_code_hash=identity_hash,
        identity_code_sealed=seal(data_key, person.personal_identity_code.upper().encode()) if identity_hash else None,
        given_names=person.given_names,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        nationality=person.nationality,
        native_language=person.native_language,
        preferred_languages=person.preferred_languages,
        email=person.contact.email if person.contact else None,
        phone=person.contact.phone if person.contact else None,
        household_id=data.household_id,
        residence_basis=data.residence_basis,
        jobseeker=data.jobseeker,
        lead=decide_lead(jobseeker=data.jobseeker),
        eligible=eligibility.eligible,
        eligibility_reason=eligibility.reason,
        registered_on=data.registered_on,
        first_permit_or_registration_on=data.first_permit_or_registration_on,
        created_at=now(),
    )
    case = ClientCase(
        id=uuid.uuid5(client_id, "case"),
        client_id=client_id,
        municipality_code=data.municipality_code,
        stage=Stage.intake,
        status=CaseStatus.received,
        opened_on=data.registered_on,
        workflow_id=path_workflow_id(client_id) if eligibility.eligible else None,
        updated_at=now(),
    )
    session.add(client)
    session.add(case)
    await session.flush()
    _publish_client_recorded(session, client, case)

    if not eligibility.eligible:
        # Recorded with the reason, so staff can see who was not eligible and why; no path starts.
        await change_case(session, case, Stage.closed, CaseStatus.not_eligible, None, f"not_eligible.{eligibility.reason}")
        return Registration(client, case, created=True, path=None)

    _publish_case_updated(session, case, event.type)
    due_on = add_months(data.registered_on, policy.assessment_start_months)
    path = ClientPathInput(
        client_id=client.id,
        case_id=case.id,
        municipality_code=case.municipality_code,
        reason=event.type,
        assessment_due_on=due_on,
        assessment_overdue_at=datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=FINNISH_TIME),
        coordinator_escalation_after=timedelta(days=policy.assessment_escalation_days),
    )
    return Registration(client, case, created=True, path=path)


async def change_case(
    session: AsyncSession,
    case: ClientCase,
    stage: Stage,
    status: CaseStatus,
    deadline: Deadline | None,
    reason: str,
) -> bool:
    """Move the case and tell everyone; False when it already is there (a repeated activity)."""
    current = (Stage(case.stage), CaseStatus(case.status))
    target = (stage, status)
    same_deadline = (case.next_deadline_kind, case.next_deadline_on) == (
        (deadline.kind.value, deadline.due_on) if deadline else (None, None)
    )
    if current == target and same_deadline:
        return False
    if current != target and (current, target) not in CASE_TRANSITIONS:
        raise TransitionRefused(f"a case in {current[0]}/{current[1]} cannot move to {stage}/{status}")
    case.stage, case.status = stage, status
    case.next_deadline_kind = deadline.kind.value if deadline else None
    case.next_deadline_on = deadline.due_on if deadline else None
    case.updated_at = now()
    session.add(case)
    _publish_case_updated(session, case, reason)
    return True


async def apply_case_change(session: AsyncSession, change: CaseChange) -> None:
    case = await session.get(ClientCase, change.case_id)
    if case is None:
        raise LookupError(f"case {change.case_id} is not recorded (yet)")
    await change_case(session, case, change.stage, change.status, change.next_deadline, change.reason)


async def request_notification(session: AsyncSession, request: NotificationRequest) -> None:
    case = await session.get(ClientCase, request.case_id)
    if case is None:
        raise LookupError(f"case {request.case_id} is not recorded")
    message = NotificationRequested(
        notification_id=request.notification_id,
        kind=request.kind,
        municipality_code=case.municipality_code,
        recipient_role=request.recipient_role,
        case_id=request.case_id,
        client_id=request.client_id,
        params=request.params,
    )
    add_event(
        session,
        Envelope.new(type=NOTIFICATION_REQUESTED, source=SOURCE, data=message.model_dump(mode="json"), subject=str(case.id)),
        exchange=INTERNAL_EXCHANGE,
    )


def _publish_case_updated(session: AsyncSession, case: ClientCase, reason: str) -> None:
    deadline = (
        Deadline(kind=case.next_deadline_kind, due_on=case.next_deadline_on) if case.next_deadline_kind else None
    )
    update = CaseUpdated(
        case_id=case.id,
        client_id=case.client_id,
        municipality_code=case.municipality_code,
        stage=case.stage,
        status=case.status,
        next_deadline=deadline,
        changed_at=case.updated_at,
        reason=reason,
    )
    add_event(
        session,
        Envelope.new(type=CASE_UPDATED, source=SOURCE, data=update.model_dump(mode="json"), subject=str(case.id)),
        exchange=EVENTS_EXCHANGE,
    )


def _publish_client_recorded(session: AsyncSession, client: Client, case: ClientCase) -> None:
    recorded = ClientRecorded(
        client_id=client.id,
        case_id=case.id,
        municipality_code=client.municipality_code,
        given_names=client.given_names,
        family_name=client.family_name,
        birth_date=client.birth_date,
        nationality=client.nationality,
        native_language=client.native_language,
        preferred_languages=client.preferred_languages,
        residence_basis=client.residence_basis,
        lead=client.lead,
        eligible=client.eligible,
        eligibility_reason=client.eligibility_reason,
    )
    add_event(
        session,
        Envelope.new(type=CLIENT_RECORDED, source=SOURCE, data=recorded.model_dump(mode="json"), subject=str(client.id)),
        exchange=INTERNAL_EXCHANGE,
    )
