"""Events about a client intake already knows: the employment authority taking the lead, a move
to another municipality (the case, its deadlines and its open reviews move along), an assessment
asked for by another authority, a provider's report on a measure. The only writers of these
changes; each works inside the consumer's unit of work, like service.py."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.identity import Admission, Eligibility, decide_lead
from services.intake.models import (
    AssessmentRequested,
    Client,
    JobseekerDeregistered,
    JobseekerRegistered,
    PersonRef,
    ResidentMoved,
    ServiceReported,
)
from services.intake.outbox import SOURCE, notify
from services.intake.case_events import announce_case, publish_client_recorded
from services.intake.service import (
    ID_NAMESPACE,
    Registration,
    Residence,
    case_of,
    find_client,
    identity_hash_matches,
    identity_lookup_hash,
    open_client,
    path_input,
    previous_identity_hashes,
)
from services.intake.workflows import path_workflow_id
from services.intake.sources.service import SourceNotAllowed, authenticated_source
from shared.clock import FINNISH_TIME, now
from shared.contracts import INTERNAL_EXCHANGE, CaseStatus, SERVICE_REPORT_RECEIVED, ServiceReport, from_record
from shared.envelope import Envelope
from shared.subscription import Rejected
from shared.messaging import publish
from shared.policy import Policy




class ClientNotKnown(LookupError):
    """No client matches the person_ref (yet): the registration may still be on its way."""


async def resolve_person(session: AsyncSession, ref: PersonRef, *, source: str, data_key: bytes) -> Client:
    if ref.client_id:
        client = await session.get(Client, ref.client_id)
    elif ref.personal_identity_code:
        hashed = identity_lookup_hash(data_key, ref.personal_identity_code)
        also = previous_identity_hashes(data_key, ref.personal_identity_code)
        client = (await session.exec(select(Client).where(identity_hash_matches([hashed, *also])))).first()
    else:
        # external_ref is the producing system's own id, as given in its registration event
        client = (
            await session.exec(select(Client).where(Client.source == source, Client.external_ref == ref.external_ref))
        ).first()
    if client is None:
        kind = "client_id" if ref.client_id else "personal_identity_code" if ref.personal_identity_code else "external_ref"
        raise ClientNotKnown(f"no client found by person_ref.{kind}")
    return client


def not_the_sources_client(source: str, what: str) -> SourceNotAllowed:
    """The refusal of a report on a client the source may not report on: the same words whether the
    client lives elsewhere or the event names another municipality than theirs, so that no
    dead-letter reason tells where anyone lives."""
    return SourceNotAllowed(f"source {source!r} may report {what} only for a client living in a municipality it is registered for")


class WrongMunicipality(Rejected):
    """The event names another municipality than the client's: it is dead-lettered with the reason."""


async def register_jobseeker(session: AsyncSession, *, event: Envelope, data: JobseekerRegistered, data_key: bytes) -> Client:
    """The employment authority now leads the client's integration services; deadlines run on."""
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    if client.municipality_code != data.municipality_code:
        raise not_the_sources_client(event.source, "a jobseeker registration")
    case = await case_of(session, client.id)
    if client.lead != "employment_authority":
        client.jobseeker, client.lead = True, decide_lead(jobseeker=True)
        session.add(client)
        publish_client_recorded(session, client, case)
        announce_case(session, case, event.type)
    return client


async def deregister_jobseeker(session: AsyncSession, *, event: Envelope, data: JobseekerDeregistered, data_key: bytes) -> Client:
    """The client left job search: the municipality leads their integration services again;
    deadlines run on. The same event again changes nothing."""
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    if client.municipality_code != data.municipality_code:
        raise not_the_sources_client(event.source, "a jobseeker deregistration")
    if client.jobseeker:
        case = await case_of(session, client.id)
        client.jobseeker, client.lead = False, decide_lead(jobseeker=False)
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
    await move_open_reviews(session, client.id, data.to_municipality_code)
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


async def move_open_reviews(session: AsyncSession, client_id: uuid.UUID, municipality_code: str) -> None:
    """Open reviews about the client move with them: the new municipality's staff decide them, the
    old one no longer sees or resolves them."""
    from services.intake.duplicates.models import DuplicateReview
    from services.intake.notices.matching.models import MatchReview, ReviewStatus

    matches = select(MatchReview).where(MatchReview.client_id == client_id, MatchReview.status == ReviewStatus.open)
    duplicates = select(DuplicateReview).where(
        or_(DuplicateReview.client_id == client_id, DuplicateReview.earlier_client_id == client_id), DuplicateReview.status == "open"
    )
    for review in [*(await session.exec(matches)).all(), *(await session.exec(duplicates)).all()]:
        review.municipality_code = municipality_code
        session.add(review)


async def request_assessment(
    session: AsyncSession, *, event: Envelope, data: AssessmentRequested, policy: Policy, data_key: bytes
) -> Registration:
    """Another authority asks for an assessment: find the client, or record them and open the path."""
    if data.person_ref is not None:
        client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    else:
        hashed = identity_lookup_hash(data_key, data.person.personal_identity_code)
        client = await find_client(
            session, identity_hash=hashed, source=event.source, external_ref=f"assessment-request:{event.id}",
            also_hashes=previous_identity_hashes(data_key, data.person.personal_identity_code),
        )
    asked_on = event.time.astimezone(FINNISH_TIME).date()
    if client is not None:
        case = await case_of(session, client.id)
        if client.eligible and case.workflow_id is None and case.status in (CaseStatus.needs_triage, CaseStatus.guidance_offered):
            # Asking for it makes them a client: the clock starts from the request.
            client.target_group, client.admission_reason = client.target_group or "other_need", "requested_by_authority"
            case.workflow_id = path_workflow_id(client.id)
            session.add(client)
            session.add(case)
            publish_client_recorded(session, client, case)
            announce_case(session, case, event.type)
            path = path_input(client, case, policy, became_client_on=asked_on, reason=event.type)
            return Registration(client, case, created=False, path=path)
        announce_case(session, case, event.type)
        return Registration(client, case, created=False, path=None)
    return await open_client(
        session,
        event=event,
        person=data.person,
        residence=Residence(external_ref=f"assessment-request:{event.id}", municipality_code=data.municipality_code, registered_on=asked_on),
        # Asking for it makes them a client (the assessment clock starts); staff check the rest.
        eligibility=Eligibility(eligible=True, reason="requested_by_authority"),
        admission=Admission("client", "other_need", "requested_by_authority"),
        policy=policy,
        data_key=data_key,
    )


async def forward_service_report(session: AsyncSession, *, event: Envelope, data: ServiceReported, data_key: bytes) -> None:
    """A provider's report goes to planning, which keeps the client's plan."""
    registered = await authenticated_source(session, event)  # before anything is looked up for it
    client = await resolve_person(session, data.person_ref, source=event.source, data_key=data_key)
    if not registered.may_publish_for(client.municipality_code):
        raise not_the_sources_client(event.source, "a service")
    case = await case_of(session, client.id)
    report = from_record(
        ServiceReport, data, client_id=client.id, case_id=case.id, municipality_code=client.municipality_code,
        reported_by=event.source, event_id=event.id,
    )
    publish(session, type=SERVICE_REPORT_RECEIVED, source=SOURCE, data=report, subject=str(case.id), exchange=INTERNAL_EXCHANGE)


