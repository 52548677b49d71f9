"""The domain events the services' functions put in their outboxes (on a bare SQLite database, no
broker, no Temporal): a fact moves the case by the lifecycle table and publishes its events in the
same transaction, once; a fact that does not fit is refused with the reason; reminders,
escalations, assignments and corrections are published where they are recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from services.assessment import service as assessment_service
from services.assessment.app import MIGRATIONS as ASSESSMENT_MIGRATIONS
from services.assessment.records import AssessmentRecord, CorrectionRecord
from services.intake import service
from services.intake.assignment import service as assignment
from services.intake.models import ResidentRegistered
from shared.auth import StaffUser
from shared.contracts import (
    CASE_CHANGED,
    CASE_UPDATED,
    CaseChange,
    CaseStatus,
    Deadline,
    DeadlineKind,
    NotificationRequested,
    Stage,
)
from shared.db import Database
from shared.policy import load_policy
from support import event, registration
from test_clients_and_cases import database, outbox  # noqa: F401  (intake's SQLite database fixture, its outbox)

POLICY = load_policy().default
DATA_KEY = b"k" * 32


async def registered_case(database, **overrides):
    data = registration(registered_on=date(2027, 1, 10), **overrides)
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=DATA_KEY
        )
        await session.commit()
    return registered.case


async def change(database, **values) -> None:
    async with database.session() as session:
        await service.apply_case_change(session, CaseChange(**values))
        await session.commit()


async def test_a_fact_moves_the_case_and_publishes_its_events_once(database):
    case = await registered_case(database)
    due = Deadline(kind=DeadlineKind.assessment_start, due_on=date(2027, 3, 10))
    await change(database, case_id=case.id, stage=Stage.assessment, status=CaseStatus.awaiting_assessment, next_deadline=due,
                 reason="fi.kotopolku.resident.registered.v1", fact="path.opened")
    await change(database, case_id=case.id, stage=Stage.assessment, status=CaseStatus.assessment_in_progress, next_deadline=None,
                 deadlines=[], reason="assessment.started", fact="assessment.started", details={"started_on": "2027-01-20"})
    before = len(await outbox(database))
    completed = dict(case_id=case.id, stage=Stage.closed, status=CaseStatus.plan_not_needed, next_deadline=None, deadlines=[],
                     reason="assessment.completed.plan_not_needed: employed", fact="assessment.completed.plan_not_needed",
                     details={"completed_on": "2027-01-25", "plan_needed": False})
    await change(database, **completed)
    await change(database, **completed)  # the activity again: nothing twice
    sent = (await outbox(database))[before:]
    assert [m["type"] for m in sent] == [
        CASE_UPDATED, CASE_CHANGED, "fi.kotopolku.assessment.completed.v1", "fi.kotopolku.case.closed.v1",
    ]
    ids = {"case_id": str(case.id), "client_id": str(case.client_id), "municipality_code": case.municipality_code}
    assert sent[2]["data"] == {**ids, "completed_on": "2027-01-25", "plan_needed": False}
    assert sent[3]["data"] == {**ids, "reason": "plan_not_needed", "closed_on": "2027-01-25"}
    assert sent[0]["data"]["reason"] == "assessment.completed.plan_not_needed: employed"
    started = [m for m in await outbox(database) if m["type"] == "fi.kotopolku.assessment.started.v1"]
    assert [m["data"]["started_on"] for m in started] == ["2027-01-20"]


async def test_a_fact_that_does_not_fit_the_case_is_refused_with_the_reason(database):
    case = await registered_case(database)
    before = len(await outbox(database))
    with pytest.raises(service.TransitionRefused, match="intake/received cannot take plan.made"):
        await change(database, case_id=case.id, stage=Stage.follow_up, status=CaseStatus.plan_active, next_deadline=None,
                     reason="plan.made", fact="plan.made", details={"plan_type": "individual", "made_on": "2027-01-20"})
    # The workflow's view and the table must agree, too.
    with pytest.raises(service.TransitionRefused, match="not assessment/assessment_in_progress"):
        await change(database, case_id=case.id, stage=Stage.assessment, status=CaseStatus.assessment_in_progress, next_deadline=None,
                     reason="x", fact="path.opened")
    assert len(await outbox(database)) == before


async def test_an_ineligible_client_s_case_closes_with_its_event(database):
    await registered_case(database, first_permit_or_registration_on="2020-01-01")
    closed = [m for m in await outbox(database) if m["type"] == "fi.kotopolku.case.closed.v1"]
    assert [m["data"]["reason"] for m in closed] == ["not_eligible"]


async def test_reminders_escalations_and_assignments_are_published(database):
    case = await registered_case(database)
    before = len(await outbox(database))
    deadline = {"deadline_kind": "plan_review", "due_on": "2027-07-01"}
    async with database.session() as session:
        for kind, role, params in [("plan_deadline_reminder", "caseworker", {**deadline, "days": 14}),
                                   ("deadline_missed", "caseworker", deadline),  # its passing is the fact's event
                                   ("deadline_missed", "coordinator", deadline)]:
            await service.request_notification(session, NotificationRequested(
                notification_id=uuid.uuid4(), kind=kind, recipient_role=role, case_id=case.id, client_id=case.client_id, params=params))
        coordinator = StaffUser(sub="co-1", name="Koordinaattori", roles=["coordinator"], municipalities=[case.municipality_code])
        await assignment.assign(session, user=coordinator, case_id=case.id, sub="cw-1", name="Kaisa")
        await session.commit()
    public = [m for m in (await outbox(database))[before:] if m["type"].startswith("fi.kotopolku.") and ".internal." not in m["type"]
              and m["type"] != CASE_UPDATED]
    assert [(m["type"], m["data"].get("kind"), m["data"].get("days_before")) for m in public] == [
        ("fi.kotopolku.deadline.reminded.v1", "plan_review", 14),
        ("fi.kotopolku.deadline.escalated.v1", "plan_review", None),
        ("fi.kotopolku.case.assigned.v1", None, None),
    ]
    assert public[2]["data"]["assignee_sub"] == "cw-1"


async def test_a_correction_of_a_completed_assessment_is_published_by_the_assessment_service(tmp_path):
    database = Database("assessment", f"sqlite+aiosqlite:///{tmp_path / 'assessment.db'}")
    await database.migrate(ASSESSMENT_MIGRATIONS)
    record = AssessmentRecord(
        assessment_id=uuid.uuid4(), case_id=uuid.uuid4(), client_id=uuid.uuid4(), municipality_code="109", status="completed",
        due_on=date(2027, 3, 10), became_client_on=date(2027, 1, 10), completed_on=date(2027, 2, 1),
    )
    correction = CorrectionRecord(
        correction_id=uuid.uuid4(), assessment_id=record.assessment_id, case_id=record.case_id, corrected_by_sub="cw-1",
        corrected_at=datetime(2027, 2, 3, 23, 30, tzinfo=UTC), reason="typo",
        changes={"language_skills": {"from": None, "to": {}}, "education": {"from": None, "to": {}}}, assessment=record,
    )
    try:
        for _ in range(2):  # the activity again: published once
            async with database.session() as session:
                await assessment_service.record_correction(session, correction)
                await session.commit()
        events = [m for m in await outbox(database) if m["type"] == "fi.kotopolku.assessment.corrected.v1"]
    finally:
        await database.dispose()
    assert len(events) == 1
    # Finnish date (23:30 UTC is the next day in Helsinki); only the names of the corrected parts.
    assert events[0]["data"] == {"case_id": str(record.case_id), "client_id": str(record.client_id), "municipality_code": "109",
                                 "corrected_on": "2027-02-04", "parts": ["education", "language_skills"]}


async def test_an_announced_fact_asked_for_again_by_the_same_activity_is_published_once(database):
    case = await registered_case(database)
    due = Deadline(kind=DeadlineKind.assessment_start, due_on=date(2027, 3, 10))
    await change(database, case_id=case.id, stage=Stage.assessment, status=CaseStatus.awaiting_assessment, next_deadline=due,
                 reason="fi.kotopolku.resident.registered.v1", fact="path.opened")
    booked = CaseChange(case_id=case.id, stage=Stage.assessment, status=CaseStatus.assessment_scheduled, next_deadline=due,
                        reason="assessment.rescheduled", fact="assessment.rescheduled", announce=True,
                        details={"on": "2027-02-01", "rescheduled": True})
    for once in ("client-1/run-1/7", "client-1/run-1/7", "client-1/run-1/9"):  # an attempt again, then another booking
        async with database.session() as session:
            await service.apply_case_change(session, booked, once=once)
            await session.commit()
    scheduled = [m for m in await outbox(database) if m["type"] == "fi.kotopolku.assessment.scheduled.v1"]
    assert len(scheduled) == 2
