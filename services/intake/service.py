"""The only writers of intake's client and case records. Each function works inside the caller's
unit of work: the change, its events and (for consumers) the inbox row commit together.

Intake's other records have their own packages beside this one, with the same file roles:
`sources/` (who may publish), `employers/` (and their API keys), `notices/` (recruitment notices,
their status in notices/state.py, matching and its review queue in notices/matching/) and
`duplicates/` (possible duplicate clients for staff to decide)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.case_events import (
    announce_case,
    publish_case_changed,
    publish_client_recorded,
    publish_domain_event,
    publish_domain_events,
)
from services.intake.duplicates.service import flag_possible_duplicates
from services.intake.handover import employment
from services.intake.language_needs.booking import BOOKINGS, unmet_need
from services.intake.identity import Admission, Eligibility, decide_admission, decide_eligibility, decide_lead
from services.intake.models import (
    CASE_TRANSITIONS,
    Client,
    ClientCase,
    Person,
    ResidentRegistered,
)
from services.intake.outbox import SOURCE
from services.intake.triage.workflows import TRIAGE_DEADLINE_WORKFLOW, TriageDeadline, triage_workflow_id
from services.intake.workflows import CLIENT_PATH_WORKFLOW, ClientPathInput, path_workflow_id
from shared.client_groups import recorded_at_registration
from shared.clock import FINNISH_TIME, now
from shared import lifecycle
from shared.contracts import (
    ASSESSMENT_WORKFLOW,
    INTERNAL_EXCHANGE,
    NOTIFICATION_REQUESTED,
    AssessmentInput,
    CaseChange,
    CaseStatus,
    Deadline,
    DeadlineKind,
    NotificationRequested,
    Stage,
    assessment_workflow_id,
    from_record,
    task_queue,
)
from shared.crypto import lookup_hash, lookup_hashes, seal
from shared.envelope import Envelope
from shared.lifecycle import Fact
from shared.messaging import ProcessedEvent, publish
from shared.policy import Policy, add_months, assessment_timings, plan_timings
from shared.workflow_commands import start_workflow

# Client and case ids derive from the registering source's own reference, so a redelivered event
# (even after a crash between starting the workflow and committing) names the same client.
ID_NAMESPACE = uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10")


class TransitionRefused(Exception):
    """The case can't move that way; the message says from where to where."""


class Residence(BaseModel):
    """What the event that makes someone a client says of them besides who they are: kept on the
    client as it is (a requested assessment knows less: the defaults)."""

    external_ref: str  # the producing system's own id
    municipality_code: str
    registered_on: date  # they became a client (the assessment's clock starts)
    first_permit_or_registration_on: date | None = None
    residence_basis: str = "other"
    household_id: str | None = None
    jobseeker: bool = False
    target_group: str | None = None  # what the register states (`none`: no target group)
    client_groups: list[str] = []  # the groups the projects reach that the register states
    guardian: dict | None = None  # an unaccompanied minor's guardian or representative


@dataclass
class Registration:
    client: Client
    case: ClientCase
    created: bool
    path: ClientPathInput | None  # None when no clock runs (not eligible, guidance, triage): no path starts

    @property
    def matches_notices(self) -> bool:
        """A recruitment notice may be waiting for anyone whose case is open: on a path, or not."""
        return self.path is not None or self.case.status in (CaseStatus.needs_triage, CaseStatus.guidance_offered)


async def find_client(
    session: AsyncSession, *, identity_hash: str | None, source: str, external_ref: str, also_hashes: list[str] = ()
) -> Client | None:
    """`also_hashes`: the identity code hashed with previous data keys, during a key rotation."""
    conditions = [(Client.source == source) & (Client.external_ref == external_ref)]
    if identity_hash:
        conditions.append(identity_hash_matches([identity_hash, *also_hashes]))
    return (await session.exec(select(Client).where(or_(*conditions)))).first()


def identity_hash_matches(hashes: list[str]):
    return Client.identity_code_hash == hashes[0] if len(hashes) == 1 else Client.identity_code_hash.in_(hashes)


def previous_identity_hashes(data_key: bytes, identity_code: str | None) -> list[str]:
    """The identity code hashed with each previous data key (none when no rotation is under way)."""
    return lookup_hashes(data_key, identity_code.strip().upper())[1:] if identity_code and getattr(data_key, "previous", ()) else []


async def case_of(session: AsyncSession, client_id: uuid.UUID) -> ClientCase:
    return (await session.exec(select(ClientCase).where(ClientCase.client_id == client_id))).one()


async def register_resident(
    session: AsyncSession, *, event: Envelope, data: ResidentRegistered, policy: Policy, data_key: bytes
) -> Registration:
    person = data.person
    identity_hash = identity_lookup_hash(data_key, person.personal_identity_code)
    existing = await find_client(
        session, identity_hash=identity_hash, source=event.source, external_ref=data.external_ref,
        also_hashes=previous_identity_hashes(data_key, person.personal_identity_code),
    )
    if existing is not None:
        return Registration(existing, await case_of(session, existing.id), created=False, path=None)
    eligibility = decide_eligibility(
        residence_basis=data.residence_basis,
        first_permit_or_registration_on=data.first_permit_or_registration_on,
        today=data.registered_on,
        window_years=policy.eligibility_window_years,
    )
    admission = decide_admission(
        residence_basis=data.residence_basis, stated_group=data.target_group, jobseeker=data.jobseeker, eligibility=eligibility
    )
    guardian = data.guardian.model_dump(exclude_none=True) if data.guardian else None
    return await open_client(
        session, event=event, person=person, residence=from_record(Residence, data, guardian=guardian), eligibility=eligibility,
        admission=admission, policy=policy, data_key=data_key,
    )


def identity_lookup_hash(data_key: bytes, identity_code: str | None) -> str | None:
    return lookup_hash(data_key, identity_code.strip().upper()) if identity_code else None


async def open_client(
    session: AsyncSession,
    *,
    event: Envelope,
    person: Person,
    residence: Residence,
    eligibility: Eligibility,
    admission: Admission,
    policy: Policy,
    data_key: bytes,
) -> Registration:
    """Record a new client and their case; the path input when the statutory clock runs for them
    (the caller starts it with `start_path` in the same transaction, which publishes the case)."""
    identity_hash = identity_lookup_hash(data_key, person.personal_identity_code)
    client_id = uuid.uuid5(ID_NAMESPACE, f"{event.source}\n{residence.external_ref}")
    client = Client(
        id=client_id,
        source=event.source,
        **residence.model_dump(exclude={"target_group", "client_groups"}),
        client_groups=recorded_at_registration(
            stated=residence.client_groups, residence_basis=residence.residence_basis, target_group=admission.target_group
        ),
        identity_code_hash=identity_hash,
        identity_code_sealed=seal(data_key, person.personal_identity_code.strip().upper().encode()) if identity_hash else None,
        given_names=person.given_names,
        family_name=person.family_name,
        birth_date=person.birth_date,
        sex=person.sex,
        nationality=person.nationality,
        native_language=person.native_language,
        preferred_languages=person.preferred_languages,
        interpreter_language=person.interpreter.language if person.interpreter else None,
        interpreter_dialect=person.interpreter.dialect if person.interpreter else None,
        integration_language=person.integration_language,
        email=person.contact.email if person.contact else None,
        phone=person.contact.phone if person.contact else None,
        lead=decide_lead(jobseeker=residence.jobseeker),
        eligible=eligibility.eligible,
        eligibility_reason=eligibility.reason,
        target_group=admission.target_group,
        admission_reason=admission.reason,
        created_at=now(),
    )
    case = ClientCase(
        id=uuid.uuid5(client_id, "case"),
        client_id=client_id,
        municipality_code=residence.municipality_code,
        stage=Stage.intake,
        status=CaseStatus.received,
        opened_on=residence.registered_on,
        workflow_id=path_workflow_id(client_id) if admission.outcome == "client" else None,
        updated_at=now(),
    )
    session.add(client)
    session.add(case)
    await session.flush()
    publish_client_recorded(session, client, case, with_next_change=True)  # the case's first change follows below
    await flag_possible_duplicates(session, client, case)

    if admission.outcome == "not_eligible":
        # Recorded with the reason, so staff can see who was not eligible and why; no path starts.
        await change_case(
            session, case, Stage.closed, CaseStatus.not_eligible, None, f"not_eligible.{eligibility.reason}", fact=Fact.not_eligible
        )
        return Registration(client, case, created=True, path=None)
    if admission.outcome != "client":
        await hold_case(session, case, admission, policy, today=residence.registered_on)
        return Registration(client, case, created=True, path=None)

    # Not published as received: the caller opens the path in this transaction (start_path), and
    # the case is told once, as it is when this commits (one event less for every subscriber).
    path = path_input(client, case, policy, became_client_on=residence.registered_on, reason=event.type)
    return Registration(client, case, created=True, path=path)


async def hold_case(
    session: AsyncSession, case: ClientCase, admission: Admission, policy: Policy, *, today: date,
    changed_by: str | None = None, reason: str | None = None,
) -> None:
    """No statutory clock: guidance is offered, or the case waits in the triage queue with its own
    (project default) deadline for the staff decision."""
    reason = reason or f"admission.{admission.reason}"
    if admission.outcome == "triage":
        deadline = Deadline(kind=DeadlineKind.triage_decision, due_on=today + timedelta(days=policy.triage_decision_days))
        await change_case(session, case, Stage.intake, CaseStatus.needs_triage, deadline, reason, changed_by=changed_by, fact=Fact.triage_needed)
        case.next_deadline_policy_version = policy.version or None
        session.add(case)
        # Its clock (sent once this commits): the caseworker is told when it passes, the
        # coordinator as long after as for the assessment's start (the decision precedes it).
        clock = TriageDeadline(
            case_id=case.id, client_id=case.client_id, due_on=deadline.due_on,
            overdue_at=datetime.combine(deadline.due_on + timedelta(days=1), time(0), tzinfo=FINNISH_TIME),
            coordinator_escalation_after=timedelta(days=policy.assessment_escalation_days),
            policy_version=policy.version or None,
        )
        start_workflow(session, TRIAGE_DEADLINE_WORKFLOW, clock, id=triage_workflow_id(case.id), task_queue=task_queue("intake"))
    else:
        await change_case(session, case, Stage.intake, CaseStatus.guidance_offered, None, reason, changed_by=changed_by, fact=Fact.guidance_offered)


def path_input(client: Client, case: ClientCase, policy: Policy, *, became_client_on: date, reason: str) -> ClientPathInput:
    """The client's path, its statutory clock starting the day they became a client (registered
    in a target group, asked for an assessment, or decided by staff)."""
    due_on = add_months(became_client_on, policy.assessment_start_months)
    # The path and the assessment it starts name the same case, and why it opened.
    the_case = {"client_id": client.id, "case_id": case.id, "municipality_code": case.municipality_code, "reason": reason}
    return ClientPathInput(
        **the_case,
        assessment_due_on=due_on,
        assessment_overdue_at=datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=FINNISH_TIME),
        coordinator_escalation_after=timedelta(days=policy.assessment_escalation_days),
        assessment=AssessmentInput(
            **the_case,
            became_client_on=became_client_on,
            due_on=due_on,
            timings=assessment_timings(policy),
            residence_basis=client.residence_basis,
            gender=client.sex,
            native_language=client.native_language,
            target_group=client.target_group,
            client_groups=client.client_groups,
            birth_date=client.birth_date,
            lead=client.lead,
            policy_version=policy.version or None,  # the version its deadline came from
            record_locally=True,
        ),
        plan=plan_timings(policy),
        client_languages=list(dict.fromkeys([client.native_language, *client.preferred_languages])),
        interpreter_language=client.interpreter_language,
        interpreter_dialect=client.interpreter_dialect,
    )


async def start_path(session: AsyncSession, case: ClientCase, path: ClientPathInput) -> None:
    """Open the client's path: the case moves into the assessment stage with its deadline in this
    transaction (by the lifecycle table, as when the path reported it), and the path starts once
    the transaction commits, told that its opening is recorded: one round trip less per client.
    Its assessment starts beside it, once the same transaction commits, rather than as the path's
    child: for the Temporal server two starts cost less than a start and a child's start."""
    deadline = Deadline(kind=DeadlineKind.assessment_start, due_on=path.assessment_due_on)
    stage, status = lifecycle.move(Stage(case.stage), CaseStatus(case.status), Fact.path_opened)
    # The timeline shows the event that opened the path as the reason (CONTRACT §3).
    await change_case(session, case, stage, status, deadline, path.reason, fact=Fact.path_opened)
    path_id = path_workflow_id(path.client_id)
    opened = path.model_copy(update={"opened": True, "assessment_beside": path.assessment is not None})
    start_workflow(session, CLIENT_PATH_WORKFLOW, opened, id=path_id, task_queue=task_queue("intake"))
    if path.assessment is not None:
        assessment = path.assessment.model_copy(update={"path_workflow_id": path_id})
        start_workflow(session, ASSESSMENT_WORKFLOW, assessment, id=assessment_workflow_id(path.case_id), task_queue=task_queue("assessment"))


async def change_case(
    session: AsyncSession,
    case: ClientCase,
    stage: Stage,
    status: CaseStatus,
    deadline: Deadline | None,
    reason: str,
    *,
    deadlines: list[Deadline] | None = None,
    changed_by: str | None = None,
    announce: bool = False,
    fact: Fact | None = None,
    details: dict | None = None,
) -> bool:
    """Move the case and tell everyone; False when it already is there (a repeated activity),
    unless `announce` puts it on the timeline anyway. `deadlines`: every open deadline (default:
    the next one only). With a `fact` (shared.lifecycle), the lifecycle table decides where the case
    goes, and the fact's domain events (with `details`) leave with the change."""
    current = (Stage(case.stage), CaseStatus(case.status))
    target = (stage, status)
    if fact is not None and current != target:
        try:
            decided = lifecycle.move(*current, fact)
        except lifecycle.FactRefused as refused:
            raise TransitionRefused(str(refused)) from None
        if decided != target:  # the workflow's view of the case and the case disagree
            raise TransitionRefused(f"{fact} moves a case in {current[0]}/{current[1]} to {decided[0]}/{decided[1]}, not {stage}/{status}")
    open_deadlines = [d.model_dump(mode="json") for d in (deadlines if deadlines is not None else ([deadline] if deadline else []))]
    same_deadline = (case.next_deadline_kind, case.next_deadline_on) == (
        (deadline.kind.value, deadline.due_on) if deadline else (None, None)
    ) and (case.deadlines or []) == open_deadlines
    if current == target and same_deadline and not announce:
        return False
    if fact is None and current != target and (current, target) not in CASE_TRANSITIONS:
        raise TransitionRefused(f"a case in {current[0]}/{current[1]} cannot move to {stage}/{status}")
    case.stage, case.status = stage, status
    case.next_deadline_kind = deadline.kind.value if deadline else None
    case.next_deadline_on = deadline.due_on if deadline else None
    case.deadlines = open_deadlines
    case.updated_at = now()
    session.add(case)
    publish_case_changed(session, case, reason, changed_by=changed_by)
    if fact is not None:
        published = publish_domain_events(session, case, fact, current[0], details or {})
        if employment.handed_over(published) and await employment.led_by_employment_authority(session, case):
            for event_type, data in employment.handed_over(published):
                publish_domain_event(session, case, event_type, data)
        if fact == Fact.plan_made and (details or {}).get("plan_type") == "multi_sectoral":
            _ask_the_county(session, case)
    return True


def _ask_the_county(session: AsyncSession, case: ClientCase) -> None:
    """A multi-sectoral plan asks the wellbeing services county to take part: its staff are told
    (docs/roles.md, `wellbeing_county`); once per case's plan, however often the change repeats."""
    request = NotificationRequested(
        notification_id=uuid.uuid5(case.id, "county_participation_requested"),
        kind="county_participation_requested", municipality_code=case.municipality_code,
        recipient_role="wellbeing_county", case_id=case.id, client_id=case.client_id,
    )
    publish(session, type=NOTIFICATION_REQUESTED, source=SOURCE, data=request, subject=str(case.id), exchange=INTERNAL_EXCHANGE)


ACTIVITY_SOURCE = "urn:kotopolku:temporal-activity"  # the inbox's source of changes asked for by activities


async def apply_case_change(session: AsyncSession, change: CaseChange, *, once: str | None = None) -> datetime:
    """Move the case as a workflow asks; the case's last change time (this one, or the one it
    already had when the change was there already). `once`: the asking activity's own id; an
    announced change (which repeats on the timeline by design) is then applied, and its events
    published, once however often the activity runs."""
    case = await session.get(ClientCase, change.case_id)
    if case is None:
        raise LookupError(f"case {change.case_id} is not recorded (yet)")
    if change.announce and once is not None:
        if await session.get(ProcessedEvent, (ACTIVITY_SOURCE, once)) is not None:
            return case.updated_at
        session.add(ProcessedEvent(source=ACTIVITY_SOURCE, event_id=once, event_type="record_case_change", processed_at=now()))
    fact = Fact(change.fact) if change.fact else None
    await change_case(
        session, case, change.stage, change.status, change.next_deadline, change.reason,
        deadlines=change.deadlines, changed_by=change.changed_by, announce=change.announce, fact=fact, details=change.details,
    )
    # Only a booking asks about the client's interpreter need: no other change reads the client.
    unmet = unmet_need(await session.get(Client, case.client_id), fact, change.details) if fact in BOOKINGS else None
    if unmet is not None:  # a booking without the recorded interpreter: the timeline says so
        announce_case(session, case, unmet, changed_by=change.changed_by)
    return case.updated_at


async def request_notification(session: AsyncSession, request: NotificationRequested) -> None:
    """A workflow asks for a notification. A case's goes to the case's municipality; a notice's
    names its municipality."""
    if request.municipality_code is None:
        case = await session.get(ClientCase, request.case_id) if request.case_id else None
        if case is None:
            raise LookupError(f"case {request.case_id} is not recorded")
        request = request.model_copy(update={"municipality_code": case.municipality_code})
    subject = str(request.case_id or request.notice_id or request.municipality_code)
    publish(session, type=NOTIFICATION_REQUESTED, source=SOURCE, data=request, subject=subject, exchange=INTERNAL_EXCHANGE)
    deadline_event = lifecycle.deadline_event(request)  # a reminder or an escalation of a case's deadline
    if deadline_event is not None and request.case_id is not None:
        case = await session.get(ClientCase, request.case_id)
        if case is not None:
            publish_domain_event(session, case, *deadline_event)
