"""The statutory clock runs only for a target group, on Temporal's time-skipping test server: a
resident in no target group (or waiting for triage) gets no path and no deadline however long
they wait; a triaged one's path starts from the staff decision, and its `assessment_start`
deadline counts from the decision, not from the registration."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from services.intake import service
from services.intake.app import MIGRATIONS
from services.intake.models import ClientCase, ResidentRegistered
from services.intake.triage import service as triage
from services.intake.triage.models import TargetGroupDecision
from services.intake.workflows import CLIENT_PATH_WORKFLOW, ClientPathInput
from shared.auth import StaffUser
from shared.contracts import ASSESSMENT_WORKFLOW
from shared.clock import today

from shared.db import Database
from shared.policy import add_months, load_policy
from shared.workflow_commands import WorkflowCommand
from support import event, registration
from workflow_support import RecordedActivities, start_written, workers

BOOK = load_policy()
DATA_KEY = b"k" * 32
STAFF = StaffUser(sub="kw-1", name="Kaisa", roles=["caseworker"], municipalities=["109"])


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


async def register(database, **fields) -> service.Registration:
    data = registration(registered_on=today() - timedelta(days=90), **fields)  # registered three months ago
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=BOOK.default, data_key=DATA_KEY
        )
        await session.commit()
    return registered


async def path_starts(database) -> list[ClientPathInput]:
    async with database.session() as session:
        rows = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.workflow_type == CLIENT_PATH_WORKFLOW))).all()
    return [ClientPathInput.model_validate(row.arg) for row in rows]


async def test_no_clock_without_a_target_group_and_the_triaged_clock_runs_from_the_decision(database, time_skipping_env):
    env, activities = time_skipping_env, RecordedActivities()
    worker = await register(database, residence_basis="work")
    family = await register(database, residence_basis="family")
    assert (worker.case.status, worker.case.next_deadline_kind) == ("guidance_offered", None)
    assert (family.case.status, family.case.next_deadline_kind) == ("needs_triage", "triage_decision")
    assert await path_starts(database) == []  # no path, so no statutory timer for either

    async with database.session() as session:
        await triage.decide_target_group(
            session, user=STAFF, case_id=family.case.id, policy=BOOK,
            decision=TargetGroupDecision(target_group="international_protection", reason="Family member of a refugee"),
        )
        await session.commit()
    [path] = await path_starts(database)
    assert path.client_id == family.client.id
    assert path.assessment_due_on == add_months(today(), BOOK.default.assessment_start_months)  # from the decision
    # The decision's transaction moved the case to its assessment with the deadline; the path knows.
    async with database.session() as session:
        case = await session.get(ClientCase, family.case.id)
    assert (case.status, case.next_deadline_kind, case.next_deadline_on) == ("awaiting_assessment", "assessment_start", path.assessment_due_on)
    assert path.opened

    async with workers(env, activities, "assessment", path=True):
        # The path and its assessment beside it, as intake's relay starts them.
        handle = (await start_written(env.client, database, CLIENT_PATH_WORKFLOW, ASSESSMENT_WORKFLOW))[f"client-{path.client_id}"]
        # A month on: counted from the registration the deadline would have passed already.
        await env.sleep(timedelta(days=30))
        assert activities.notifications == []
        assert activities.changes == []  # the opening is not reported back

        await env.sleep(timedelta(days=40))  # past the deadline counted from the decision
        assert "assessment_overdue" in [change.status for change in activities.changes]
        assert {(told.kind, told.params.get("due_on")) for told in activities.notifications if told.kind == "deadline_missed"} == {
            ("deadline_missed", path.assessment_due_on.isoformat())
        }
        await handle.terminate()
