"""The only writers of intake's tables and outbox. Each function works inside the caller's unit
of work: the change, its events and (for consumers) the inbox row commit together."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Awaitable, Callable, Literal
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client as TemporalClient
from temporalio.service import RPCError, RPCStatusCode

from services.intake.identity import (
    Eligibility,
    PersonKey,
    decide_eligibility,
    decide_lead,
    match_people,
    validate_business_id,
)
from services.intake.models import (
    CASE_TRANSITIONS,
    NOTICE_TRANSITIONS,
    OPEN_NOTICE_STATUSES,
    AssessmentRequested,
    CaseEmployment,
    CaseEmploymentRead,
    Client,
    ClientCase,
    DuplicateClient,
    DuplicateReview,
    DuplicateReviewRead,
    Employer,
    EmployerSummary,
    FamilyFields,
    JobseekerRegistered,
    MatchReview,
    MatchReviewRead,
    NoticeCreate,
    NoticeIdempotencyKey,
    NoticeRead,
    NoticeStatus,
    Person,
    PersonRef,
    Preparations,
    ProducingSource,
    RecruitmentNotice,
    ResidentMoved,
    ResidentRegistered,
    ReviewPerson,
    ReviewStatus,
    ServiceReported,
    StaffNoticeRead,
)
from services.intake.workflows import (
    CaseChange,
    ClientPathInput,
    NoticeInput,
    NoticeMatch,
    NoticeOutcome,
    NotificationRequest,
    notice_workflow_id,
    path_workflow_id,
)
from shared.auth import StaffUser, scoped
from shared.contracts import (
    CASE_CHANGED,
    CASE_UPDATED,
    CLIENT_RECORDED,
    EVENTS_EXCHANGE,
    INTERNAL_EXCHANGE,
    NOTIFICATION_REQUESTED,
    RECRUITMENT_NOTICE_UPDATED,
    SERVICE_REPORT_RECEIVED,
    CaseStatus,
    CaseChanged,
    ClientRecorded,
    Deadline,
    NotificationRequested,
    RecruitmentNoticeUpdated,
    ServiceReport,
    Stage,
    service_source,
)
from shared.crypto import lookup_hash, seal
from shared.envelope import Envelope
from shared.messaging import add_event, publish
from shared.policy import Policy, add_months

log = structlog.get_logger(__name__)

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
    identity_hash = identity_lookup_hash(data_key, person.personal_identity_code)
    existing = await find_client(session, identity_hash=identity_hash, source=event.source, external_ref=data.external_ref)
    if existing is not None:
        return Registration(existing, await case_of(session, existing.id), created=False, path=None)
    eligibility = decide_eligibility(
        residence_basis=data.residence_basis,
        first_permit_or_registration_on=data.first_permit_or_registration_on,
        today=data.registered_on,
        window_years=policy.eligibility_window_years,
    )
    return await open_client(
        session,
        event=event,
        person=person,
        external_ref=data.external_ref,
        municipality_code=data.municipality_code,
        registered_on=data.registered_on,
        first_permit_or_registration_on=data.first_permit_or_registration_on,
        residence_basis=data.residence_basis,
        household_id=data.household_id,
        jobseeker=data.jobseeker,
        eligibility=eligibility,
        policy=policy,
        data_key=data_key,
    )


def identity_lookup_hash(data_key: bytes, identity_code: str | None) -> str | None:
    return lookup_hash(data_key, identity_code.strip().upper()) if identity_code else None


async def open_client(
    session: AsyncSession,
    *,
    event: Envelope,
    person: Person,
    external_ref: str,
    municipality_code: str,
    registered_on: date,
    first_permit_or_registration_on: date | None,
    residence_basis: str,
    household_id: str | None,
    jobseeker: bool,
    eligibility: Eligibility,
    policy: Policy,
    data_key: bytes,
) -> Registration:
    """Record a new client and their case; the path input when eligible (the caller starts it)."""
    identity_hash = identity_lookup_hash(data_key, person.personal_identity_code)
    client_id = uuid.uuid5(ID_NAMESPACE, f"{event.source}\n{external_ref}")
    client = Client(
        id=client_id,
        municipality_code=municipality_code,
        source=event.source,
        external_ref=external_ref,
        identity_code_hash=identity_hash,
        identity_code_sealed=seal(data_key, person.personal_identity_code.strip().upper().encode()) if identity_hash else None,
        given_names=person.given_names,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        nationality=person.nationality,
        native_language=person.native_language,
        preferred_languages=person.preferred_languages,
        email=person.contact.email if person.contact else None,
        phone=person.contact.phone if person.contact else None,
        household_id=household_id,
        residence_basis=residence_basis,
        jobseeker=jobseeker,
        lead=decide_lead(jobseeker=jobseeker),
        eligible=eligibility.eligible,
        eligibility_reason=eligibility.reason,
        registered_on=registered_on,
        first_permit_or_registration_on=first_permit_or_registration_on,
        created_at=now(),
    )
    case = ClientCase(
        id=uuid.uuid5(client_id, "case"),
        client_id=client_id,
        municipality_code=municipality_code,
        stage=Stage.intake,
        status=CaseStatus.received,
        opened_on=registered_on,
        workflow_id=path_workflow_id(client_id) if eligibility.eligible else None,
        updated_at=now(),
    )
    session.add(client)
    session.add(case)
    await session.flush()
    publish_client_recorded(session, client, case)
    await flag_possible_duplicates(session, client, case)

    if not eligibility.eligible:
        # Recorded with the reason, so staff can see who was not eligible and why; no path starts.
        await change_case(session, case, Stage.closed, CaseStatus.not_eligible, None, f"not_eligible.{eligibility.reason}")
        return Registration(client, case, created=True, path=None)

    _publish_case_updated(session, case, event.type)
    due_on = add_months(registered_on, policy.assessment_start_months)
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
    *,
    changed_by: str | None = None,
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
    _publish_case_updated(session, case, reason, changed_by=changed_by)
    return True


async def apply_case_change(session: AsyncSession, change: CaseChange) -> None:
    case = await session.get(ClientCase, change.case_id)
    if case is None:
        raise LookupError(f"case {change.case_id} is not recorded (yet)")
    await change_case(session, case, change.stage, change.status, change.next_deadline, change.reason, changed_by=change.changed_by)


async def request_notification(session: AsyncSession, request: NotificationRequest) -> None:
    # A case's notification goes to the case's municipality; a notice's names its municipality.
    municipality_code = request.municipality_code
    if municipality_code is None:
        case = await session.get(ClientCase, request.case_id) if request.case_id else None
        if case is None:
            raise LookupError(f"case {request.case_id} is not recorded")
        municipality_code = case.municipality_code
    notify(
        session,
        notification_id=request.notification_id,
        kind=request.kind,
        municipality_code=municipality_code,
        recipient_role=request.recipient_role,
        case_id=request.case_id,
        client_id=request.client_id,
        params=request.params,
        subject=str(request.case_id or request.notice_id or municipality_code),
    )


def _publish_case_updated(session: AsyncSession, case: ClientCase, reason: str, *, changed_by: str | None = None) -> None:
    """The change, twice: `case.updated` for the outside world (CONTRACT §3, exactly) and the
    internal `case.changed` (the same with the assignee and who made it) for staff views."""
    deadline = (
        Deadline(kind=case.next_deadline_kind, due_on=case.next_deadline_on) if case.next_deadline_kind else None
    )
    change = CaseChanged(
        case_id=case.id,
        client_id=case.client_id,
        municipality_code=case.municipality_code,
        stage=case.stage,
        status=case.status,
        next_deadline=deadline,
        deadlines=case.deadlines or ([deadline] if deadline else []),
        changed_at=case.updated_at,
        reason=reason,
        assignee_sub=case.assignee_sub,
        assignee_name=case.assignee_name,
        changed_by=changed_by,
    )
    publish(session, type=CASE_UPDATED, source=SOURCE, data=change.public(), exchange=EVENTS_EXCHANGE, subject=str(case.id))
    publish(session, type=CASE_CHANGED, source=SOURCE, data=change, exchange=INTERNAL_EXCHANGE, subject=str(case.id))


def publish_client_recorded(session: AsyncSession, client: Client, case: ClientCase) -> None:
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


# --- producing systems (who may publish on kotopolku.inbound, for which municipalities) ---------


class SourceNotAllowed(Exception):
    """The event's source is not registered for the municipality; the message says which."""


async def register_source(session: AsyncSession, *, source: str, name: str, municipalities: list[str]) -> ProducingSource:
    """Add a producing system, or extend the municipalities an existing one may publish for."""
    existing = await session.get(ProducingSource, source)
    if existing is None:
        existing = ProducingSource(source=source, name=name, municipalities=sorted(set(municipalities)), created_at=now())
    else:
        existing.name = name or existing.name
        existing.municipalities = sorted(set(existing.municipalities) | set(municipalities))
    session.add(existing)
    return existing


async def remove_source(session: AsyncSession, source: str) -> bool:
    existing = await session.get(ProducingSource, source)
    if existing is not None:
        await session.delete(existing)
    return existing is not None


async def list_sources(session: AsyncSession) -> list[ProducingSource]:
    return list(await session.exec(select(ProducingSource).order_by(ProducingSource.source)))


async def check_source(session: AsyncSession, source: str, municipality_codes: list[str], *, any_of: bool = False) -> None:
    """Refuse an event whose source may not publish for its municipality (for a move: either end)."""
    registered = await session.get(ProducingSource, source)
    if registered is None:
        raise SourceNotAllowed(f"source {source!r} is not registered to publish events (kotopolku sources add)")
    allowed = [code for code in municipality_codes if registered.may_publish_for(code)]
    if (any_of and not allowed) or (not any_of and len(allowed) != len(municipality_codes)):
        missing = ", ".join(code for code in municipality_codes if code not in allowed)
        raise SourceNotAllowed(f"source {source!r} is not registered for municipality {missing}")


# --- later events about a known client ---------------------------------------------------------


class ClientNotKnown(LookupError):
    """No client matches the person_ref (yet): the registration may still be on its way."""


async def resolve_person(session: AsyncSession, ref: PersonRef, *, source: str, data_key: bytes) -> Client:
    if ref.client_id:
        client = await session.get(Client, ref.client_id)
    elif ref.personal_identity_code:
        hashed = identity_lookup_hash(data_key, ref.personal_identity_code)
        client = (await session.exec(select(Client).where(Client.identity_code_hash == hashed))).first()
    else:
        # external_ref is the producing system's own id, as given in its registration event
        client = (
            await session.exec(select(Client).where(Client.source == source, Client.external_ref == ref.external_ref))
        ).first()
    if client is None:
        kind = "client_id" if ref.client_id else "personal_identity_code" if ref.personal_identity_code else "external_ref"
        raise ClientNotKnown(f"no client found by person_ref.{kind}")
    return client


class WrongMunicipality(Exception):
    pass


async def register_jobseeker(session: AsyncSession, *, event: Envelope, data: JobseekerRegistered, data_key: bytes) -> Client:
    """The employment authority now leads the client's integration services; deadlines run on."""
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    if client.municipality_code != data.municipality_code:
        raise WrongMunicipality(f"the client lives in municipality {client.municipality_code}, not {data.municipality_code}")
    case = await case_of(session, client.id)
    if client.lead != "employment_authority":
        client.jobseeker, client.lead = True, decide_lead(jobseeker=True)
        session.add(client)
        publish_client_recorded(session, client, case)
        announce_case(session, case, event.type)
    return client


async def move_client(session: AsyncSession, *, event: Envelope, data: ResidentMoved, data_key: bytes) -> Client:
    """The case moves with the client: the new municipality sees it, the old one no longer does,
    both are told. The path's deadlines are not restarted."""
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    if client.municipality_code == data.to_municipality_code:
        return client  # already moved (the same move reported again)
    if client.municipality_code != data.from_municipality_code:
        raise WrongMunicipality(
            f"the client lives in municipality {client.municipality_code}, not {data.from_municipality_code}"
        )
    case = await case_of(session, client.id)
    client.municipality_code = case.municipality_code = data.to_municipality_code
    case.updated_at = now()
    session.add(client)
    session.add(case)
    publish_client_recorded(session, client, case)
    announce_case(session, case, event.type)
    params = {
        "from_municipality_code": data.from_municipality_code,
        "to_municipality_code": data.to_municipality_code,
        "moved_on": data.moved_on.isoformat(),
    }
    for kind, municipality_code in (
        ("client_moved_out", data.from_municipality_code),
        ("client_moved_in", data.to_municipality_code),
    ):
        notify(
            session,
            notification_id=uuid.uuid5(ID_NAMESPACE, f"{event.source}\n{event.id}\n{kind}"),
            kind=kind,
            municipality_code=municipality_code,
            params=params,
            subject=str(case.id),
            case_id=case.id,
            client_id=case.client_id,
        )
    return client


async def request_assessment(
    session: AsyncSession, *, event: Envelope, data: AssessmentRequested, policy: Policy, data_key: bytes
) -> Registration:
    """Another authority asks for an assessment: find the client, or record them and open the path."""
    if data.person_ref is not None:
        client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    else:
        hashed = identity_lookup_hash(data_key, data.person.personal_identity_code)
        client = await find_client(session, identity_hash=hashed, source=event.source, external_ref=f"assessment-request:{event.id}")
    if client is not None:
        case = await case_of(session, client.id)
        announce_case(session, case, event.type)
        return Registration(client, case, created=False, path=None)
    asked_on = event.time.astimezone(FINNISH_TIME).date()
    return await open_client(
        session,
        event=event,
        person=data.person,
        external_ref=f"assessment-request:{event.id}",
        municipality_code=data.municipality_code,
        registered_on=asked_on,
        first_permit_or_registration_on=None,
        residence_basis="other",
        household_id=None,
        jobseeker=False,
        # Asking for it makes them a client (the assessment clock starts); staff check the rest.
        eligibility=Eligibility(eligible=True, reason="requested_by_authority"),
        policy=policy,
        data_key=data_key,
    )


async def forward_service_report(session: AsyncSession, *, event: Envelope, data: ServiceReported, data_key: bytes) -> None:
    """A provider's report goes to planning, which keeps the client's plan."""
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    case = await case_of(session, client.id)
    await check_source(session, event.source, [client.municipality_code])
    report = ServiceReport(
        client_id=client.id,
        case_id=case.id,
        municipality_code=client.municipality_code,
        service_code=data.service_code,
        status=data.status,
        on=data.on,
        result=data.result,
        reported_by=event.source,
        event_id=event.id,
    )
    add_event(
        session,
        Envelope.new(type=SERVICE_REPORT_RECEIVED, source=SOURCE, data=report.model_dump(mode="json"), subject=str(case.id)),
        exchange=INTERNAL_EXCHANGE,
    )


def announce_case(session: AsyncSession, case: ClientCase, reason: str) -> None:
    """A case.updated without a change of stage: the timeline shows what happened and why."""
    case.updated_at = now()
    session.add(case)
    _publish_case_updated(session, case, reason)


def notify(
    session: AsyncSession,
    *,
    notification_id: uuid.UUID,
    kind: str,
    municipality_code: str,
    params: dict,
    subject: str,
    recipient_role: str = "caseworker",
    case_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
) -> None:
    """Ask the notifications service to tell a municipality's staff something (it decides how)."""
    message = NotificationRequested(
        notification_id=notification_id,
        kind=kind,
        municipality_code=municipality_code,
        recipient_role=recipient_role,
        case_id=case_id,
        client_id=client_id,
        params=params,
    )
    add_event(
        session,
        Envelope.new(type=NOTIFICATION_REQUESTED, source=SOURCE, data=message.model_dump(mode="json"), subject=subject),
        exchange=INTERNAL_EXCHANGE,
    )


# --- recruitment notices: employers and their API keys ------------------------------------------


class EmployerError(Exception):
    """An employer can't be registered or changed so; the message says why (for the command line)."""


API_KEY_PREFIX = "kp_"


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    # A plain SHA-256 is enough for a 256-bit random key, and fast enough to check on every request.
    return hashlib.sha256(key.encode()).hexdigest()


def _business_id(value: str) -> str:
    try:
        return validate_business_id(value)
    except ValueError as error:
        raise EmployerError(f"business id {value!r}: {error}") from None


async def _employer_by_business_id(session: AsyncSession, business_id: str) -> Employer:
    business_id = _business_id(business_id)
    employer = (await session.exec(select(Employer).where(Employer.business_id == business_id))).first()
    if employer is None:
        raise EmployerError(f"no employer with business id {business_id} is registered")
    return employer


async def create_employer(session: AsyncSession, *, business_id: str, name: str) -> tuple[Employer, str]:
    """A new employer and its API key (returned once; only its hash is stored)."""
    business_id, name = _business_id(business_id), name.strip()
    if not 1 <= len(name) <= 200:
        raise EmployerError("the name must be 1 to 200 characters")
    if (await session.exec(select(Employer).where(Employer.business_id == business_id))).first() is not None:
        raise EmployerError(f"an employer with business id {business_id} is already registered (`employers rotate` gives it a new key)")
    key = new_api_key()
    employer = Employer(
        id=uuid.uuid4(), business_id=business_id, name=name, api_key_hash=api_key_hash(key), active=True,
        created_at=now(), updated_at=now(),
    )
    session.add(employer)
    await session.flush()
    return employer, key


async def rotate_employer_key(session: AsyncSession, *, business_id: str) -> tuple[Employer, str]:
    """A new key for the employer; the old one stops working at once. Re-enables a revoked employer."""
    employer = await _employer_by_business_id(session, business_id)
    key = new_api_key()
    employer.api_key_hash, employer.active, employer.updated_at = api_key_hash(key), True, now()
    session.add(employer)
    return employer, key


async def revoke_employer(session: AsyncSession, *, business_id: str) -> Employer:
    employer = await _employer_by_business_id(session, business_id)
    employer.active, employer.updated_at = False, now()
    session.add(employer)
    return employer


async def list_employers(session: AsyncSession) -> list[Employer]:
    return list(await session.exec(select(Employer).order_by(Employer.name)))


async def employer_for_api_key(session: AsyncSession, key: str) -> Employer | None:
    """The active employer holding this key, else None."""
    digest = api_key_hash(key)
    employer = (await session.exec(select(Employer).where(Employer.api_key_hash == digest))).first()
    if employer is None or not hmac.compare_digest(employer.api_key_hash, digest) or not employer.active:
        return None
    return employer


# --- recruitment notices: submission, status, reading -------------------------------------------


class NoticeTransitionRefused(Exception):
    """The notice can't move that way (e.g. it already arrived): the API answers 409 saying why."""

    def __init__(self, current: NoticeStatus, target: NoticeStatus) -> None:
        super().__init__(f"a notice that is {current} cannot become {target}")
        self.current, self.target = current, target


class IdempotencyKeyReused(Exception):
    """The employer used the Idempotency-Key before, with a different body."""


NOTICE_REMINDER_TIME = time(8, 0)  # Finnish time: reminders arrive at the start of a working day


@dataclass(frozen=True)
class WorkflowSignal:
    """A signal the caller sends after the state change is computed (before it commits)."""

    workflow_id: str
    name: str
    arg: Any = None


@dataclass
class MatchOutcome:
    """What matching did: one clear match (`matched`), reviews opened for staff, or nothing."""

    matched: tuple[uuid.UUID, uuid.UUID] | None = None  # (notice id, client id)
    reviews: list[uuid.UUID] = field(default_factory=list)
    signals: list[WorkflowSignal] = field(default_factory=list)

    @property
    def result(self) -> Literal["matched", "review", "none"]:
        return "matched" if self.matched else "review" if self.reviews else "none"


@dataclass
class Submission:
    notice_id: uuid.UUID
    response: dict  # the answer to the employer (the same again for a repeated Idempotency-Key)
    replayed: bool
    outcome: MatchOutcome = field(default_factory=MatchOutcome)


def children_ages(arrival: date, birth_years: list[int]) -> list[int]:
    """Ages reached in the year of arrival, oldest first (school starts the year a child turns 7)."""
    return sorted((arrival.year - year for year in birth_years), reverse=True)


def preparations_for(expected_arrival_on: date, family: dict) -> Preparations:
    ages = children_ages(expected_arrival_on, family.get("children_birth_years", []))
    return Preparations(
        daycare_ages=[age for age in ages if age < 7],
        school_ages=[age for age in ages if 7 <= age <= 17],
        adults=family.get("adults", 1),
    )


def notice_for_employer(notice: RecruitmentNotice) -> dict:
    """What the employer sees: what it sent and the status, nothing about the registered person."""
    return NoticeRead(
        id=notice.id, status=notice.status, created_at=notice.created_at, updated_at=notice.updated_at, **notice.submission
    ).model_dump(mode="json")


def notice_for_staff(notice: RecruitmentNotice, employer: Employer, case_id: uuid.UUID | None) -> StaffNoticeRead:
    return StaffNoticeRead(
        id=notice.id,
        status=notice.status,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
        **notice.submission,
        employer=EmployerSummary(business_id=employer.business_id, name=employer.name),
        preparations=preparations_for(notice.expected_arrival_on, notice.submission["family"]),
        acknowledged_at=notice.acknowledged_at,
        acknowledged_by=notice.acknowledged_by,
        client_id=notice.client_id,
        case_id=case_id,
    )


def notice_details(notice: RecruitmentNotice, employer: Employer, policy: Policy) -> dict:
    """What the notifications about a notice say (rendered in fi/sv/en by the notifications service)."""
    preparations = preparations_for(notice.expected_arrival_on, notice.submission["family"])
    return {
        "notice_id": str(notice.id),
        "employer": employer.name,
        "job_title": notice.submission["employment"]["job_title"],
        "recruit": f"{notice.given_names} {notice.family_name}",
        "expected_arrival_on": notice.expected_arrival_on.isoformat(),
        "adults": preparations.adults,
        "children_ages": children_ages(notice.expected_arrival_on, notice.submission["family"]["children_birth_years"]),
        "daycare_ages": preparations.daycare_ages,
        "school_ages": preparations.school_ages,
        "grace_days": policy.notice_grace_days,
    }


def notice_workflow_input(notice: RecruitmentNotice, employer: Employer, policy: Policy) -> NoticeInput:
    """The notice workflow's input: its moments come from the destination municipality's policy."""
    arrival = notice.expected_arrival_on
    return NoticeInput(
        notice_id=notice.id,
        municipality_code=notice.municipality_code,
        remind_at=datetime.combine(arrival - timedelta(days=policy.notice_reminder_days), NOTICE_REMINDER_TIME, tzinfo=FINNISH_TIME),
        # Expires when the last day of the grace period is over.
        expire_at=datetime.combine(arrival + timedelta(days=policy.notice_grace_days + 1), time(0), tzinfo=FINNISH_TIME),
        details=notice_details(notice, employer, policy),
    )


def request_hash(raw_body: bytes) -> str | None:
    """The body as sent, in canonical JSON: what "the same body" means for an Idempotency-Key.
    None when it is not JSON at all (validation answers it)."""
    try:
        canonical = json.dumps(json.loads(raw_body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return None
    return hashlib.sha256(canonical.encode()).hexdigest()


async def earlier_submission(
    session: AsyncSession, *, employer: Employer, idempotency_key: str, body_hash: str
) -> Submission | None:
    """The first answer to this Idempotency-Key when the body is the same; IdempotencyKeyReused
    when it is not; None for a new key. Asked before the body is validated, so that the first
    answer stands even when the same body would no longer be accepted today."""
    earlier = await session.get(NoticeIdempotencyKey, (employer.id, idempotency_key))
    if earlier is None:
        return None
    if not hmac.compare_digest(earlier.request_hash, body_hash):
        raise IdempotencyKeyReused()
    return Submission(earlier.notice_id, earlier.response, replayed=True)


async def submit_notice(
    session: AsyncSession,
    *,
    employer: Employer,
    body: NoticeCreate,
    idempotency_key: str | None,
    policy: Policy,
    start_workflow: Callable[[NoticeInput], Awaitable[None]],
    body_hash: str | None = None,  # service.request_hash of the body as sent; needed with an Idempotency-Key
) -> Submission:
    """Record a notice, start its workflow and match the notice against residents already
    registered; the caller sends `outcome.signals` and commits.

    The workflow is started after the reads and before the first write, so that no database lock
    is held while Temporal answers; should the transaction fail after all, the workflow finds no
    notice and ends. A repeated Idempotency-Key with the same body gives the first answer (nothing
    is started); with another body, IdempotencyKeyReused. A request at the same moment with the
    same key makes the flush fail (IntegrityError): the caller then asks again."""
    if idempotency_key is not None:
        earlier = await earlier_submission(session, employer=employer, idempotency_key=idempotency_key, body_hash=body_hash)
        if earlier is not None:
            return earlier

    submitted_at = now()
    recruit = body.recruit
    notice = RecruitmentNotice(
        id=uuid.uuid4(),
        employer_id=employer.id,
        municipality_code=body.destination_municipality_code,
        status=NoticeStatus.received,
        given_names=recruit.given_names,
        family_name=recruit.family_name,
        birth_date=recruit.birth_date,
        nationality=recruit.nationality,
        expected_arrival_on=body.expected_arrival_on,
        submission=body.model_dump(mode="json"),
        created_at=submitted_at,
        updated_at=submitted_at,
    )
    await start_workflow(notice_workflow_input(notice, employer, policy))
    session.add(notice)
    await session.flush()
    remembered = None
    if idempotency_key is not None:
        remembered = NoticeIdempotencyKey(
            employer_id=employer.id, key=idempotency_key, request_hash=body_hash, notice_id=notice.id, response={},
            created_at=submitted_at,
        )
        session.add(remembered)
        await session.flush()  # a request at the same moment with the same key fails here
    _publish_notice_updated(session, notice, "recruitment_notice.received")

    # Notice after registration: residents registered recently, without a notice, are candidates.
    registered_since = submitted_at.astimezone(FINNISH_TIME).date() - timedelta(days=policy.notice_grace_days)
    outcome = await match_clients_for_notice(session, notice, registered_since=registered_since)
    response = notice_for_employer(notice)
    if remembered is not None:
        remembered.response = response
        session.add(remembered)
    return Submission(notice.id, response, replayed=False, outcome=outcome)


async def _locked_notice(session: AsyncSession, notice_id: uuid.UUID, *conditions) -> RecruitmentNotice | None:
    """The notice, fresh from the database and locked for this transaction (PostgreSQL)."""
    query = select(RecruitmentNotice).where(RecruitmentNotice.id == notice_id, *conditions)
    return (await session.exec(query.with_for_update().execution_options(populate_existing=True))).first()


async def _move_notice(
    session: AsyncSession, notice: RecruitmentNotice, target: NoticeStatus, reason: str, *, case_id: uuid.UUID | None = None
) -> None:
    current = NoticeStatus(notice.status)
    if (current, target) not in NOTICE_TRANSITIONS:
        raise NoticeTransitionRefused(current, target)
    notice.status, notice.updated_at = target, now()
    session.add(notice)
    if target not in OPEN_NOTICE_STATUSES:
        await _supersede_reviews(session, notice_id=notice.id)
    _publish_notice_updated(session, notice, reason, case_id=case_id)


def _publish_notice_updated(session: AsyncSession, notice: RecruitmentNotice, reason: str, *, case_id: uuid.UUID | None = None) -> None:
    update = RecruitmentNoticeUpdated(
        notice_id=notice.id,
        municipality_code=notice.municipality_code,
        status=notice.status,
        changed_at=notice.updated_at,
        reason=reason,
        client_id=notice.client_id,
        case_id=case_id,
    )
    add_event(
        session,
        Envelope.new(type=RECRUITMENT_NOTICE_UPDATED, source=SOURCE, data=update.model_dump(mode="json"), subject=str(notice.id)),
        exchange=INTERNAL_EXCHANGE,
    )


async def withdraw_notice(session: AsyncSession, *, employer: Employer, notice_id: uuid.UUID) -> RecruitmentNotice | None:
    """The employer withdraws its notice (None: no such notice of this employer). The caller
    signals the workflow `withdrawn` before committing."""
    notice = await _locked_notice(session, notice_id, RecruitmentNotice.employer_id == employer.id)
    if notice is not None:
        await _move_notice(session, notice, NoticeStatus.withdrawn, "recruitment_notice.withdrawn")
    return notice


async def acknowledge_notice(session: AsyncSession, *, user: StaffUser, notice_id: uuid.UUID) -> RecruitmentNotice | None:
    """The destination municipality's staff saw the notice (a database change only)."""
    notice = await _locked_notice(session, notice_id, RecruitmentNotice.municipality_code.in_(user.municipalities))
    if notice is not None:
        await _move_notice(session, notice, NoticeStatus.acknowledged, "recruitment_notice.acknowledged")
        notice.acknowledged_at, notice.acknowledged_by = notice.updated_at, user.name or user.sub
    return notice


async def _notice_outcome(session: AsyncSession, notice: RecruitmentNotice) -> NoticeOutcome:
    case_id = None
    if notice.client_id is not None:
        employment = (await session.exec(select(CaseEmployment).where(CaseEmployment.notice_id == notice.id))).first()
        case_id = employment.case_id if employment else None
    return NoticeOutcome(status=notice.status, client_id=notice.client_id, case_id=case_id)


async def expire_notice(session: AsyncSession, notice_id: uuid.UUID) -> NoticeOutcome:
    """The grace period passed: an open notice expires; one that ended otherwise stays as it is."""
    notice = await _locked_notice(session, notice_id)
    if notice is None:
        raise LookupError(f"recruitment notice {notice_id} is not recorded")
    if notice.status in OPEN_NOTICE_STATUSES:
        await _move_notice(session, notice, NoticeStatus.expired, "recruitment_notice.expired")
    return await _notice_outcome(session, notice)


async def notice_recorded(session: AsyncSession, notice_id: uuid.UUID) -> bool:
    return await session.get(RecruitmentNotice, notice_id) is not None


async def settled_notice_status(session: AsyncSession, notice_id: uuid.UUID) -> NoticeOutcome | None:
    """How the notice ended, or None while it is still open in the database."""
    notice = await session.get(RecruitmentNotice, notice_id)
    if notice is None or notice.status in OPEN_NOTICE_STATUSES:
        return None
    return await _notice_outcome(session, notice)


async def get_employer_notice(session: AsyncSession, *, employer: Employer, notice_id: uuid.UUID) -> RecruitmentNotice | None:
    query = select(RecruitmentNotice).where(RecruitmentNotice.id == notice_id, RecruitmentNotice.employer_id == employer.id)
    return (await session.exec(query)).first()


async def list_employer_notices(
    session: AsyncSession, *, employer: Employer, status: NoticeStatus | None, page: int, page_size: int
) -> tuple[list[RecruitmentNotice], int]:
    query = select(RecruitmentNotice).where(RecruitmentNotice.employer_id == employer.id)
    if status is not None:
        query = query.where(RecruitmentNotice.status == status)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(RecruitmentNotice.created_at.desc(), RecruitmentNotice.id).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


def _staff_notices(user: StaffUser):
    query = (
        select(RecruitmentNotice, Employer, CaseEmployment.case_id)
        .join(Employer, Employer.id == RecruitmentNotice.employer_id)
        .outerjoin(CaseEmployment, CaseEmployment.notice_id == RecruitmentNotice.id)
    )
    return scoped(query, RecruitmentNotice.municipality_code, user)


async def list_staff_notices(
    session: AsyncSession, *, user: StaffUser, status: NoticeStatus | None, municipality: str | None, page: int, page_size: int
) -> tuple[list[StaffNoticeRead], int]:
    """The notices for the user's municipalities, soonest arrival first."""
    query = _staff_notices(user)
    if status is not None:
        query = query.where(RecruitmentNotice.status == status)
    if municipality:
        query = query.where(RecruitmentNotice.municipality_code == municipality)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(RecruitmentNotice.expected_arrival_on, RecruitmentNotice.created_at, RecruitmentNotice.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return [notice_for_staff(notice, employer, case_id) for notice, employer, case_id in rows.all()], total


async def get_staff_notice(session: AsyncSession, *, user: StaffUser, notice_id: uuid.UUID) -> StaffNoticeRead | None:
    row = (await session.exec(_staff_notices(user).where(RecruitmentNotice.id == notice_id))).first()
    return notice_for_staff(*row) if row else None


# --- recruitment notices: matching a notice and a registered resident ---------------------------
#
# Names are compared normalised (case, diacritics, order and hyphens don't matter), with the birth
# date and nationality (identity.match_people). A pair is matched automatically only when it is
# the one exact match seen from both sides; anything else goes to staff: never a guess.

AUTOMATIC = "automatic"


def _person_of_notice(notice: RecruitmentNotice) -> PersonKey:
    return PersonKey.of(notice.given_names, notice.family_name, notice.birth_date, notice.nationality)


def _person_of_client(client: Client) -> PersonKey:
    return PersonKey.of(client.given_names, client.family_name, client.birth_date, client.nationality)


def _birth_dates_like(day: date) -> list[date]:
    """The date, and with day and month swapped (a partial match that a person should see)."""
    try:
        swapped = date(day.year, day.day, day.month)
    except ValueError:
        return [day]
    return [day] if swapped == day else [day, swapped]


async def _open_notices_like(session: AsyncSession, municipality_code: str, birth_date: date) -> list[RecruitmentNotice]:
    query = select(RecruitmentNotice).where(
        RecruitmentNotice.municipality_code == municipality_code,
        RecruitmentNotice.status.in_(OPEN_NOTICE_STATUSES),
        RecruitmentNotice.birth_date.in_(_birth_dates_like(birth_date)),
    )
    return list(await session.exec(query.order_by(RecruitmentNotice.created_at)))


async def _unmatched_clients_like(
    session: AsyncSession, municipality_code: str, birth_date: date, *, registered_since: date | None
) -> list[Client]:
    """Eligible clients of the municipality with no notice on their case yet."""
    query = select(Client).where(
        Client.municipality_code == municipality_code,
        Client.eligible.is_(True),
        Client.birth_date.in_(_birth_dates_like(birth_date)),
        Client.id.not_in(select(CaseEmployment.client_id)),
    )
    if registered_since is not None:
        query = query.where(Client.registered_on >= registered_since)
    return list(await session.exec(query.order_by(Client.created_at)))


Candidate = tuple[RecruitmentNotice, Client, str]  # (notice, client, "exact" | "partial")


async def match_notices_for_client(session: AsyncSession, client: Client) -> MatchOutcome:
    """Registration after the notice: match a newly registered resident to the open notices of
    the municipality. The caller sends `outcome.signals` (after starting the client's path)."""
    if (await session.exec(select(CaseEmployment).where(CaseEmployment.client_id == client.id))).first() is not None:
        return MatchOutcome()
    person = _person_of_client(client)
    candidates: list[Candidate] = []
    for notice in await _open_notices_like(session, client.municipality_code, client.birth_date):
        similarity = match_people(_person_of_notice(notice), person)
        if similarity != "none":
            candidates.append((notice, client, similarity))
    exact = [candidate for candidate in candidates if candidate[2] == "exact"]
    if len(exact) == 1:
        notice = exact[0][0]
        # Someone else registered earlier may fit the notice just as well: then a person decides.
        rivals = [
            (notice, other, "exact")
            for other in await _unmatched_clients_like(session, notice.municipality_code, notice.birth_date, registered_since=None)
            if other.id != client.id and match_people(_person_of_notice(notice), _person_of_client(other)) == "exact"
        ]
        if not rivals:
            return await _match(session, notice, client, matched_by=AUTOMATIC)
        candidates += rivals
    return await _open_reviews(session, candidates)


async def match_clients_for_notice(session: AsyncSession, notice: RecruitmentNotice, *, registered_since: date) -> MatchOutcome:
    """Notice after registration: match a new notice to residents registered since the date."""
    person = _person_of_notice(notice)
    candidates: list[Candidate] = []
    for client in await _unmatched_clients_like(session, notice.municipality_code, notice.birth_date, registered_since=registered_since):
        similarity = match_people(person, _person_of_client(client))
        if similarity != "none":
            candidates.append((notice, client, similarity))
    exact = [candidate for candidate in candidates if candidate[2] == "exact"]
    if len(exact) == 1:
        client = exact[0][1]
        rivals = [
            (other, client, "exact")
            for other in await _open_notices_like(session, client.municipality_code, client.birth_date)
            if other.id != notice.id and match_people(_person_of_notice(other), _person_of_client(client)) == "exact"
        ]
        if not rivals:
            return await _match(session, notice, client, matched_by=AUTOMATIC)
        candidates += rivals
    return await _open_reviews(session, candidates)


async def _match(session: AsyncSession, notice: RecruitmentNotice, client: Client, *, matched_by: str) -> MatchOutcome:
    """The notice arrived as this client: the case gets the notice's information."""
    notice = await _locked_notice(session, notice.id)
    case = await case_of(session, client.id)
    notice.client_id = client.id
    await _move_notice(session, notice, NoticeStatus.arrived, "recruitment_notice.arrived", case_id=case.id)
    employer = await session.get(Employer, notice.employer_id)
    employment, family = notice.submission["employment"], notice.submission["family"]
    match = NoticeMatch(
        notice_id=notice.id,
        employer_name=employer.name,
        job_title=employment["job_title"],
        start_date=date.fromisoformat(employment["start_date"]),
        workplace_municipality_code=employment["workplace_municipality_code"],
        expected_arrival_on=notice.expected_arrival_on,
        family_adults=family["adults"],
        children_birth_years=family["children_birth_years"],
    )
    session.add(
        CaseEmployment(
            **match.model_dump(),  # what the path workflow is told, kept on the case as well
            case_id=case.id,
            client_id=client.id,
            employer_business_id=employer.business_id,
            matched_at=now(),
            matched_by=matched_by,
        )
    )
    await _supersede_reviews(session, client_id=client.id)
    signals = [WorkflowSignal(notice_workflow_id(notice.id), "arrived", client.id)]
    if case.workflow_id:
        signals.append(WorkflowSignal(case.workflow_id, "notice_matched", match))
    return MatchOutcome(matched=(notice.id, client.id), signals=signals)


async def _open_reviews(session: AsyncSession, candidates: list[Candidate]) -> MatchOutcome:
    opened = []
    for notice, client, similarity in candidates:
        known = select(MatchReview).where(MatchReview.notice_id == notice.id, MatchReview.client_id == client.id)
        if (await session.exec(known)).first() is not None:
            continue  # already in the queue, or decided by staff
        review = MatchReview(
            id=uuid.uuid4(),
            municipality_code=notice.municipality_code,
            notice_id=notice.id,
            client_id=client.id,
            similarity=similarity,
            reason="several_candidates" if similarity == "exact" else "partial_match",
            status=ReviewStatus.open,
            created_at=now(),
        )
        session.add(review)
        opened.append(review)
    if opened:
        await session.flush()
        _request_staff_notification(
            session, kind="notice_match_review", municipality_code=opened[0].municipality_code, params={"count": len(opened)}
        )
    return MatchOutcome(reviews=[review.id for review in opened])


async def _supersede_reviews(session: AsyncSession, *, notice_id: uuid.UUID | None = None, client_id: uuid.UUID | None = None) -> None:
    """Open reviews of a notice that ended, or of a client who was matched, need no decision."""
    query = select(MatchReview).where(MatchReview.status == ReviewStatus.open)
    query = query.where(MatchReview.notice_id == notice_id) if notice_id else query.where(MatchReview.client_id == client_id)
    for review in await session.exec(query):
        review.status, review.resolved_at, review.resolved_by = ReviewStatus.superseded, now(), AUTOMATIC
        session.add(review)


def _request_staff_notification(session: AsyncSession, *, kind: str, municipality_code: str, params: dict) -> None:
    message = NotificationRequested(
        notification_id=uuid.uuid4(), kind=kind, municipality_code=municipality_code, recipient_role="caseworker", params=params
    )
    add_event(
        session,
        Envelope.new(type=NOTIFICATION_REQUESTED, source=SOURCE, data=message.model_dump(mode="json"), subject=municipality_code),
        exchange=INTERNAL_EXCHANGE,
    )


# --- recruitment notices: the staff review queue ------------------------------------------------


class ReviewRefused(Exception):
    """The review can't be resolved so; `code` is the shared.i18n message saying why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _reviews(user: StaffUser):
    query = (
        select(MatchReview, RecruitmentNotice, Employer, Client, ClientCase.id)
        .join(RecruitmentNotice, RecruitmentNotice.id == MatchReview.notice_id)
        .join(Employer, Employer.id == RecruitmentNotice.employer_id)
        .join(Client, Client.id == MatchReview.client_id)
        .outerjoin(ClientCase, ClientCase.client_id == Client.id)
    )
    return scoped(query, MatchReview.municipality_code, user)


def _review_read(review: MatchReview, notice: RecruitmentNotice, employer: Employer, client: Client, case_id) -> MatchReviewRead:
    return MatchReviewRead(
        id=review.id,
        municipality_code=review.municipality_code,
        status=review.status,
        similarity=review.similarity,
        reason=review.reason,
        created_at=review.created_at,
        resolved_at=review.resolved_at,
        resolved_by=review.resolved_by,
        notice_id=notice.id,
        notice_status=notice.status,
        recruit=ReviewPerson(
            given_names=notice.given_names, family_name=notice.family_name, birth_date=notice.birth_date, nationality=notice.nationality
        ),
        employer=EmployerSummary(business_id=employer.business_id, name=employer.name),
        expected_arrival_on=notice.expected_arrival_on,
        client_id=client.id,
        case_id=case_id,
        client=ReviewPerson(
            given_names=client.given_names, family_name=client.family_name, birth_date=client.birth_date, nationality=client.nationality
        ),
        registered_on=client.registered_on,
    )


async def list_reviews(
    session: AsyncSession, *, user: StaffUser, status: ReviewStatus | None, municipality: str | None, page: int, page_size: int
) -> tuple[list[MatchReviewRead], int]:
    query = _reviews(user)
    if status is not None:
        query = query.where(MatchReview.status == status)
    if municipality:
        query = query.where(MatchReview.municipality_code == municipality)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(MatchReview.created_at, MatchReview.id).offset((page - 1) * page_size).limit(page_size))
    return [_review_read(*row) for row in rows.all()], total


async def get_review(session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID) -> MatchReviewRead | None:
    row = (await session.exec(_reviews(user).where(MatchReview.id == review_id))).first()
    return _review_read(*row) if row else None


async def resolve_review(
    session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID, decision: Literal["match", "reject"]
) -> MatchOutcome | None:
    """Staff decide: this notice is this client (`match`), or they are different people (`reject`).
    None: no such review for the user. The caller sends `outcome.signals` before committing."""
    query = scoped(select(MatchReview).where(MatchReview.id == review_id), MatchReview.municipality_code, user)
    review = (await session.exec(query.with_for_update())).first()
    if review is None:
        return None
    if review.status != ReviewStatus.open:
        raise ReviewRefused("review_already_resolved")
    outcome = MatchOutcome()
    if decision == "match":
        notice = await _locked_notice(session, review.notice_id)
        if notice.status not in OPEN_NOTICE_STATUSES:
            raise ReviewRefused("review_notice_not_open")
        if (await session.exec(select(CaseEmployment).where(CaseEmployment.client_id == review.client_id))).first() is not None:
            raise ReviewRefused("review_client_already_matched")
        outcome = await _match(session, notice, await session.get(Client, review.client_id), matched_by=user.sub)
    review.status = ReviewStatus.matched if decision == "match" else ReviewStatus.rejected
    review.resolved_at, review.resolved_by = now(), user.name or user.sub
    session.add(review)
    return outcome


async def get_case_employment(session: AsyncSession, *, user: StaffUser, case_id: uuid.UUID) -> CaseEmploymentRead | None:
    query = scoped(
        select(CaseEmployment).join(ClientCase, ClientCase.id == CaseEmployment.case_id).where(CaseEmployment.case_id == case_id),
        ClientCase.municipality_code,
        user,
    )
    found = (await session.exec(query)).first()
    if found is None:
        return None
    return CaseEmploymentRead(
        case_id=found.case_id,
        client_id=found.client_id,
        notice_id=found.notice_id,
        employer=EmployerSummary(business_id=found.employer_business_id, name=found.employer_name),
        job_title=found.job_title,
        start_date=found.start_date,
        workplace_municipality_code=found.workplace_municipality_code,
        expected_arrival_on=found.expected_arrival_on,
        family=FamilyFields(adults=found.family_adults, children_birth_years=found.children_birth_years),
        matched_at=found.matched_at,
        matched_by=found.matched_by,
    )


async def send_workflow_signals(temporal: TemporalClient, signals: list[WorkflowSignal]) -> None:
    """Send what matching decided. A workflow that already ended has nothing left to learn."""
    for signal in signals:
        handle = temporal.get_workflow_handle(signal.workflow_id)
        try:
            if signal.arg is None:
                await handle.signal(signal.name)
            else:
                await handle.signal(signal.name, signal.arg)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            log.warning("workflow to signal has ended", workflow_id=signal.workflow_id, signal=signal.name)


# --- possible duplicate clients: flagged for staff, never merged silently ------------------------


class DuplicateReviewRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def flag_possible_duplicates(session: AsyncSession, client: Client, case: ClientCase) -> list[DuplicateReview]:
    """A new client alike an earlier one of the same municipality (birth date, names and
    nationality, as identity.match_people decides) is put before staff. Clients sharing an
    identity code never get here: they are one client."""
    earlier = await session.exec(
        select(Client).where(
            Client.municipality_code == client.municipality_code,
            Client.birth_date.in_(_birth_dates_like(client.birth_date)),
            Client.id != client.id,
        )
    )
    flagged = []
    for other in earlier:
        if client.identity_code_hash and other.identity_code_hash:
            continue  # two different identity codes: two people
        similarity = match_people(_person_of_client(client), _person_of_client(other))
        if similarity == "none":
            continue
        review = DuplicateReview(
            id=uuid.uuid5(client.id, f"duplicate-of\n{other.id}"),
            municipality_code=client.municipality_code,
            client_id=client.id,
            earlier_client_id=other.id,
            similarity=similarity,
            status="open",
            created_at=now(),
        )
        session.add(review)
        flagged.append(review)
        notify(
            session,
            notification_id=review.id,
            kind="possible_duplicate",
            municipality_code=client.municipality_code,
            params={"similarity": similarity},
            subject=str(case.id),
            case_id=case.id,
            client_id=client.id,
        )
    return flagged


def _duplicate_reviews(user: StaffUser):
    earlier = aliased(Client)
    return scoped(
        select(DuplicateReview, Client, earlier)
        .join(Client, Client.id == DuplicateReview.client_id)
        .join(earlier, earlier.id == DuplicateReview.earlier_client_id),
        DuplicateReview.municipality_code,
        user,
    )


async def _duplicate_read(session: AsyncSession, review: DuplicateReview, client: Client, earlier: Client) -> DuplicateReviewRead:
    async def described(person: Client) -> DuplicateClient:
        return DuplicateClient(
            client_id=person.id,
            case_id=(await case_of(session, person.id)).id,
            given_names=person.given_names,
            family_name=person.family_name,
            birth_date=person.birth_date,
            nationality=person.nationality,
            source=person.source,
            registered_on=person.registered_on,
        )

    return DuplicateReviewRead(
        **review.model_dump(include={"id", "municipality_code", "status", "similarity", "created_at", "resolved_at", "resolved_by"}),
        client=await described(client),
        earlier_client=await described(earlier),
    )


async def list_duplicate_reviews(
    session: AsyncSession, *, user: StaffUser, status: str | None, page: int, page_size: int
) -> tuple[list[DuplicateReviewRead], int]:
    query = _duplicate_reviews(user)
    if status:
        query = query.where(DuplicateReview.status == status)
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(DuplicateReview.created_at, DuplicateReview.id).offset((page - 1) * page_size).limit(page_size))
    return [await _duplicate_read(session, *row) for row in rows.all()], total


async def resolve_duplicate_review(
    session: AsyncSession, *, user: StaffUser, review_id: uuid.UUID, decision: str
) -> DuplicateReviewRead | None:
    """Staff say whether the two are the same person; the decision is recorded with who made it.
    Combining their records is done by staff in the client register (Koto-AJ), not here."""
    row = (await session.exec(_duplicate_reviews(user).where(DuplicateReview.id == review_id))).first()
    if row is None:
        return None
    review = row[0]
    if review.status != "open":
        raise DuplicateReviewRefused("review_already_resolved")
    review.status, review.resolved_at, review.resolved_by = decision, now(), user.sub
    session.add(review)
    return await _duplicate_read(session, *row)
