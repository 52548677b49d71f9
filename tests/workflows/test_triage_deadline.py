"""The triage queue's deadline passes loudly, on Temporal's time-skipping test server with
intake's real activities on its own database: the caseworker is told when `triage_decision`
passes (on the case's timeline too), the coordinator later; a decision before it tells no one,
even when its signal never reaches the clock."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from services.intake import service
from services.intake.activities import IntakeActivities
from services.intake.app import MIGRATIONS
from services.intake.models import ResidentRegistered
from services.intake.triage import service as triage
from services.intake.triage.activities import TriageActivities
from services.intake.triage.models import TargetGroupDecision
from services.intake.triage.workflows import (
    DECIDED_SIGNAL,
    TRIAGE_DEADLINE_WORKFLOW,
    TriageDeadline,
    TriageDeadlineWorkflow,
    triage_workflow_id,
)
from shared.auth import StaffUser
from shared.clock import today
from shared.contracts import CASE_UPDATED, DEADLINE_ESCALATED, DEADLINE_PASSED, NOTIFICATION_REQUESTED, task_queue
from shared.db import Database
from shared.messaging import OutboxMessage
from shared.policy import load_policy
from shared.temporal import build_worker
from shared.workflow_commands import WorkflowCommand
from support import event, registration

BOOK = load_policy()
POLICY = BOOK.default
DATA_KEY = b"k" * 32
STAFF = StaffUser(sub="kw-1", name="Kaisa", roles=["caseworker"], municipalities=["109"])


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


async def triaged(database, external_ref: str) -> TriageDeadline:
    """A `family` registration today (unclear: the triage queue), and the clock it asks to start."""
    data = registration(registered_on=today(), residence_basis="family", external_ref=external_ref)
    async with database.session() as session:
        registered = await service.register_resident(
            session, event=event(data), data=ResidentRegistered.model_validate(data), policy=POLICY, data_key=DATA_KEY
        )
        await session.commit()
        [start] = (await session.exec(select(WorkflowCommand).where(
            WorkflowCommand.workflow_id == triage_workflow_id(registered.case.id)
        ))).all()
    assert (start.workflow_type, start.task_queue) == (TRIAGE_DEADLINE_WORKFLOW, task_queue("intake"))
    return TriageDeadline.model_validate(start.arg)


async def outbox(database, case_id) -> list[dict]:
    async with database.session() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    bodies = [json.loads(row.body) for row in rows]
    return [body for body in bodies if body["data"].get("case_id") == str(case_id)]


def told(messages: list[dict]) -> list[tuple[str, str, str]]:
    return [
        (m["data"]["kind"], m["data"]["recipient_role"], m["data"]["params"]["deadline_kind"])
        for m in messages if m["type"] == NOTIFICATION_REQUESTED and "deadline_kind" in m["data"]["params"]
    ]


def worker(env, database):
    ctx = SimpleNamespace(db=database)
    activities = [IntakeActivities(ctx).request_notification, *TriageActivities(ctx).all()]
    return build_worker(env.client, task_queue("intake"), [TriageDeadlineWorkflow], activities)


async def test_a_passed_triage_deadline_tells_the_caseworker_then_the_coordinator(database, time_skipping_env):
    env = time_skipping_env
    clock = await triaged(database, "triage-late")
    assert clock.due_on == today() + timedelta(days=POLICY.triage_decision_days)
    assert clock.coordinator_escalation_after == timedelta(days=POLICY.assessment_escalation_days)
    async with worker(env, database):
        handle = await env.client.start_workflow(
            TRIAGE_DEADLINE_WORKFLOW, clock, id=triage_workflow_id(clock.case_id), task_queue=task_queue("intake")
        )
        await env.sleep(clock.overdue_at - await env.get_current_time() - timedelta(hours=1))
        assert told(await outbox(database, clock.case_id)) == []  # due today: nothing yet

        await env.sleep(timedelta(hours=2))
        messages = await outbox(database, clock.case_id)
        assert told(messages) == [("deadline_missed", "caseworker", "triage_decision")]
        timeline = [m["data"] for m in messages if m["type"] == CASE_UPDATED]
        assert timeline[-1]["reason"] == "deadline.triage_decision.missed"
        assert timeline[-1]["status"] == "needs_triage"  # still in the queue, still to decide
        passed = [m["data"] for m in messages if m["type"] == DEADLINE_PASSED]
        assert [(p["kind"], p["due_on"]) for p in passed] == [("triage_decision", clock.due_on.isoformat())]

        assert await handle.result() == "escalated"  # the rest of the time skips to its end
    messages = await outbox(database, clock.case_id)
    assert told(messages) == [("deadline_missed", "caseworker", "triage_decision"), ("deadline_missed", "coordinator", "triage_decision")]
    assert [m["data"]["kind"] for m in messages if m["type"] == DEADLINE_ESCALATED] == ["triage_decision"]


async def test_a_decision_in_time_tells_no_one_even_when_its_signal_is_lost(database, time_skipping_env):
    env = time_skipping_env
    signalled, lost = await triaged(database, "triage-signalled"), await triaged(database, "triage-lost")
    async with worker(env, database):
        handles = [
            await env.client.start_workflow(TRIAGE_DEADLINE_WORKFLOW, clock, id=triage_workflow_id(clock.case_id), task_queue=task_queue("intake"))
            for clock in (signalled, lost)
        ]
        for clock in (signalled, lost):
            async with database.session() as session:
                await triage.decide_target_group(
                    session, user=STAFF, case_id=clock.case_id, policy=BOOK,
                    decision=TargetGroupDecision(target_group="international_protection", reason="Family member of a refugee"),
                )
                await session.commit()
                [signal] = (await session.exec(select(WorkflowCommand).where(
                    WorkflowCommand.workflow_id == triage_workflow_id(clock.case_id), WorkflowCommand.kind == "signal"
                ))).all()
            assert signal.signal == DECIDED_SIGNAL
        await handles[0].signal(DECIDED_SIGNAL)  # the relay's send; the other one never arrives
        assert [await handle.result() for handle in handles] == ["decided", "decided"]
    for clock in (signalled, lost):
        messages = await outbox(database, clock.case_id)
        assert told(messages) == []
        assert not [m for m in messages if m["type"] == DEADLINE_PASSED]
