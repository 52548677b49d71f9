"""Who is owed an assessment, on intake's own records (SQLite, no broker, no Temporal): a
registration outside the target groups is recorded with guidance and no clock, the unclear wait in
the triage queue with its own deadline, and the clock starts from a staff decision or a request."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from services.intake import known_clients, service
from services.intake.app import MIGRATIONS
from services.intake.models import AssessmentRequested, Client, ResidentRegistered
from services.intake.triage import service as triage
from services.intake.triage.models import TargetGroupDecision
from services.intake.workflows import CLIENT_PATH_WORKFLOW
from shared.auth import StaffUser
from shared.clock import FINNISH_TIME, today
from shared.contracts import ASSESSMENT_REQUESTED, CASE_UPDATED, CaseStatus, DeadlineKind, Stage
from shared.db import Database
from shared.messaging import OutboxMessage
from shared.pagination import Pagination
from shared.policy import add_months, load_policy
from shared.refusals import Conflict, NotFound
from shared.workflow_commands import WorkflowCommand
from support import event, registration

BOOK = load_policy()
POLICY = BOOK.default
DATA_KEY = b"k" * 32
STAFF = StaffUser(sub="kw-1", name="Kaisa Caseworker", roles=["caseworker"], municipalities=["109"])


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


async def register(database, data: dict) -> service.Registration:
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=DATA_KEY
        )
        await session.commit()
    return registered


async def case_updates(database) -> list[dict]:
    async with database.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    return [body["data"] for body in (json.loads(row.body) for row in rows) if body["type"] == CASE_UPDATED]


async def path_starts(database) -> list[WorkflowCommand]:
    async with database.session() as session:
        return [row for row in (await session.exec(select(WorkflowCommand))).all() if row.workflow_type == CLIENT_PATH_WORKFLOW]


async def decide(database, case_id, user: StaffUser = STAFF, **body):
    async with database.session() as session:
        case = await triage.decide_target_group(session, user=user, case_id=case_id, decision=TargetGroupDecision(**body), policy=BOOK)
        await session.commit()
    return case


async def test_a_worker_is_recorded_and_offered_guidance_with_no_statutory_clock(database):
    registered = await register(database, registration(residence_basis="work"))
    assert registered.path is None and registered.matches_notices
    assert (registered.case.stage, registered.case.status) == (Stage.intake, CaseStatus.guidance_offered)
    assert registered.client.target_group is None and registered.client.admission_reason == "residence_basis"
    assert [(u["status"], u["next_deadline"]) for u in await case_updates(database)] == [("guidance_offered", None)]


async def test_a_target_group_starts_the_clock_at_registration(database):
    registered = await register(database, registration(registered_on=date(2027, 1, 10), residence_basis="family", target_group="social_assistance"))
    assert registered.client.target_group == "social_assistance"
    assert registered.path is not None and registered.path.assessment_due_on == add_months(date(2027, 1, 10), POLICY.assessment_start_months)


async def test_the_unclear_wait_in_the_triage_queue_with_their_own_deadline(database):
    registered = await register(database, registration(registered_on=date(2027, 1, 10), residence_basis="family"))
    await register(database, registration(residence_basis="family", municipality_code="905"))
    await register(database, registration(residence_basis="work"))
    assert registered.path is None
    assert (registered.case.stage, registered.case.status) == (Stage.intake, CaseStatus.needs_triage)
    due_on = date(2027, 1, 10) + timedelta(days=POLICY.triage_decision_days)
    assert (await case_updates(database))[0]["next_deadline"] == {"kind": DeadlineKind.triage_decision, "due_on": due_on.isoformat()}
    async with database.session() as session:
        queue = await triage.list_triage(session, user=STAFF, pagination=Pagination(page=1, page_size=50))
    assert [(item.case_id, item.decision_due_on, item.residence_basis) for item in queue.items] == [(registered.case.id, due_on, "family")]


async def test_a_staff_decision_starts_the_clock_from_the_decision(database):
    registered = await register(database, registration(registered_on=date(2026, 1, 10), residence_basis="family"))
    case = await decide(database, registered.case.id, target_group="international_protection", reason="Family member of a refugee (decision 12/2026)")
    [start] = await path_starts(database)
    path = start.arg
    assert path["assessment_due_on"] == add_months(today(), POLICY.assessment_start_months).isoformat()
    assert path["assessment"]["became_client_on"] == today().isoformat()
    assert case.workflow_id == f"client-{registered.client.id}"
    async with database.session() as session:
        client = await session.get(Client, registered.client.id)
    assert (client.target_group, client.admission_reason, client.target_group_decided_by) == (
        "international_protection", "staff_decision", "Kaisa Caseworker"
    )
    assert client.target_group_decision == "Family member of a refugee (decision 12/2026)"
    # The decision on the timeline, then the path's opening, in the same transaction.
    decided, opened = (await case_updates(database))[-2:]
    assert decided["reason"].startswith("target_group.decided.international_protection: Family member")
    assert (opened["reason"], opened["status"], opened["next_deadline"]["due_on"]) == ("target_group.decided", "awaiting_assessment", path["assessment_due_on"])
    # Decided once: the path runs now.
    with pytest.raises(Conflict, match="target_group_already_decided"):
        await decide(database, registered.case.id, target_group="social_assistance", reason="again")


async def test_staff_may_decide_no_target_group_and_another_municipalitys_case_is_not_found(database):
    registered = await register(database, registration(residence_basis="family"))
    await decide(database, registered.case.id, target_group=None, reason="Family member of a worker")
    assert (await case_updates(database))[-1]["status"] == "guidance_offered"
    assert await path_starts(database) == []
    elsewhere = await register(database, registration(residence_basis="family", municipality_code="905"))
    with pytest.raises(NotFound):
        await decide(database, elsewhere.case.id, target_group=None, reason="not mine")


async def test_a_trafficking_victim_past_the_window_waits_for_the_set_aside_decision(database):
    data = registration(registered_on=date(2027, 1, 10), first_permit_or_registration_on="2020-01-01", residence_basis="trafficking_victim")
    registered = await register(database, data)
    assert (registered.case.status, registered.client.eligible, registered.path) == (CaseStatus.needs_triage, False, None)
    with pytest.raises(Conflict, match="time_limit_passed"):
        await decide(database, registered.case.id, target_group="trafficking_victim", reason="reached only now")
    await decide(database, registered.case.id, target_group="trafficking_victim", reason="Reached only now through the police", set_aside_time_limit=True)
    assert len(await path_starts(database)) == 1
    async with database.session() as session:
        client = await session.get(Client, registered.client.id)
    assert (client.eligible, client.eligibility_reason, client.admission_reason) == (True, "time_limit_set_aside", "time_limit_set_aside")


async def test_asking_for_an_assessment_makes_someone_offered_guidance_a_client(database):
    registered = await register(database, registration(residence_basis="study"))
    request = {"person_ref": {"client_id": str(registered.client.id)}, "municipality_code": "109",
               "requested_by": "Wellbeing services county", "reason": "Needs support with studies"}
    asked = event(request, type=ASSESSMENT_REQUESTED)
    async with database.session() as session:
        again = await known_clients.request_assessment(
            session, event=asked, data=AssessmentRequested.model_validate(request), policy=POLICY, data_key=DATA_KEY
        )
        await session.commit()
    assert again.path is not None and again.client.target_group == "other_need"
    assert again.path.assessment.became_client_on == asked.time.astimezone(FINNISH_TIME).date()  # the day in Finland


async def test_the_lead_moves_both_ways_by_the_register_and_by_a_staff_decision(database):
    from services.intake.lead import service as lead
    from services.intake.models import JobseekerDeregistered, JobseekerRegistered
    from shared.contracts import JOBSEEKER_DEREGISTERED, JOBSEEKER_REGISTERED

    registered = await register(database, registration(residence_basis="international_protection"))
    ref = {"person_ref": {"client_id": str(registered.client.id)}, "municipality_code": "109"}
    async with database.session() as session:
        data = JobseekerRegistered.model_validate({**ref, "registered_on": "2027-01-01"})
        await known_clients.register_jobseeker(session, event=event(data.model_dump(mode="json"), type=JOBSEEKER_REGISTERED), data=data, data_key=DATA_KEY)
        await session.commit()
    with pytest.raises(Conflict, match="jobseeker_led_by_employment_authority"):
        async with database.session() as session:
            await lead.decide_lead(session, user=STAFF, case_id=registered.case.id, decision=lead.LeadDecision(lead="municipality", reason="x"))
    async with database.session() as session:
        data = JobseekerDeregistered.model_validate({**ref, "deregistered_on": "2027-03-01"})
        await known_clients.deregister_jobseeker(session, event=event(data.model_dump(mode="json"), type=JOBSEEKER_DEREGISTERED), data=data, data_key=DATA_KEY)
        await session.commit()
    async with database.session() as session:
        client = await session.get(Client, registered.client.id)
    assert (client.jobseeker, client.lead) == (False, "municipality")

    # The municipality hands them to the employment authority by a decision with its reason.
    async with database.session() as session:
        await lead.decide_lead(session, user=STAFF, case_id=registered.case.id,
                               decision=lead.LeadDecision(lead="employment_authority", reason="Agreed at the joint meeting"))
        await session.commit()
    async with database.session() as session:
        client = await session.get(Client, registered.client.id)
    assert (client.lead, client.lead_decision, client.lead_decided_by) == ("employment_authority", "Agreed at the joint meeting", "Kaisa Caseworker")
    assert (await case_updates(database))[-1]["reason"] == "lead.decided.employment_authority: Agreed at the joint meeting"
    with pytest.raises(NotFound):
        async with database.session() as session:
            other = STAFF.model_copy(update={"municipalities": ["905"]})
            await lead.decide_lead(session, user=other, case_id=registered.case.id, decision=lead.LeadDecision(lead="municipality", reason="x"))


async def test_a_case_offered_guidance_is_closed_without_a_path(database):
    from services.intake.closure.commands import CloseCase
    from services.intake.closure.service import close_without_path

    registered = await register(database, registration(residence_basis="work"))
    async with database.session() as session:
        closed = await close_without_path(session, user=STAFF, case_id=registered.case.id, closure=CloseCase(reason="moved_away", notes="Abroad"))
        await session.commit()
    assert (closed.stage, closed.status) == (Stage.closed, CaseStatus.moved_away)
    assert (await case_updates(database))[-1]["reason"] == "case.closed.moved_away: Abroad"
    # A case whose path has started is the path's to close.
    family = await register(database, registration(residence_basis="family"))
    await decide(database, family.case.id, target_group="other_need", reason="Asked for help")
    async with database.session() as session:
        assert await close_without_path(session, user=STAFF, case_id=family.case.id, closure=CloseCase(reason="declined")) is None
