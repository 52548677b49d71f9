"""A changed policy reaches the triage queue's clocks (docs/policy.md): `policy apply` writes a
`policy_changed` signal per waiting case in intake's table, the relay sends it, and the clock moves
its `triage_decision` deadline, the move on the case's timeline, on Temporal's time-skipping server
with intake's real activities. A deadline that had passed is not un-escalated silently."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.worker import Replayer

from services.intake.app import MIGRATIONS
from services.intake.models import ClientCase
from services.intake.triage import policy as triage_policy
from services.intake.triage.workflows import (
    POLICY_CHANGED,
    TRIAGE_DEADLINE_WORKFLOW,
    TriageDeadlineWorkflow,
    TriagePolicyChanged,
    triage_workflow_id,
)
from shared.clock import FINNISH_TIME, today
from shared.contracts import CASE_UPDATED, task_queue
from shared.db import Database
from shared.policy import read_policy
from shared.settings import load_settings
from shared.temporal import data_converter
from shared.workflow_commands import WorkflowCommand, WorkflowCommandRelay
from support import eventually
from test_triage_deadline import BOOK, outbox, told, triaged, worker

HISTORIES = Path(__file__).parent / "histories"


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    yield database
    await database.dispose()


def new_policy(tmp_path, days: int):
    file = tmp_path / f"policy-{days}.toml"
    file.write_text(f'label = "681/2023 amended"\neffective_from = 2027-01-01\ntriage_decision_days = {days}\n')
    return read_policy(file)


def changed(book, due_on) -> TriagePolicyChanged:
    return TriagePolicyChanged(version=book.version, label=book.label, due_on=due_on,
                               overdue_at=datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=FINNISH_TIME))


async def timeline(database, case_id) -> list[dict]:
    return [m["data"] for m in await outbox(database, case_id) if m["type"] == CASE_UPDATED]


async def test_a_waiting_triage_decision_follows_an_applied_policy(database, time_skipping_env, tmp_path):
    env = time_skipping_env
    clock = await triaged(database, "triage-policy")
    assert clock.policy_version == BOOK.version
    book = new_policy(tmp_path, 30)
    new_due = today() + timedelta(days=30)
    async with worker(env, database):
        handle = await env.client.start_workflow(
            TRIAGE_DEADLINE_WORKFLOW, clock, id=triage_workflow_id(clock.case_id), task_queue=task_queue("intake")
        )
        async with database.session() as session:
            # The clock's start is sent first (as the relay would have, long before).
            await WorkflowCommandRelay(database, env.client).send_pending()
            preview = await triage_policy.diff(session, book)
            told_count, moves = await triage_policy.apply(session, book)
            await session.commit()
        assert [(m.kind, m.due_on, m.moves_to, m.passed) for m in preview] == [("triage_decision", clock.due_on, new_due, False)]
        assert (told_count, moves) == (1, preview)
        assert await WorkflowCommandRelay(database, env.client).send_pending() == 1

        async def moved() -> bool:
            return any(entry["reason"].startswith("policy.deadline_moved") for entry in await timeline(database, clock.case_id))

        await eventually(moved, what="the move on the case's timeline")
        entry = (await timeline(database, clock.case_id))[-1]
        assert entry["reason"] == f"policy.deadline_moved: triage_decision {clock.due_on.isoformat()} → {new_due.isoformat()} (681/2023 amended)"
        assert entry["status"] == "needs_triage"
        async with database.session() as session:
            case = await session.get(ClientCase, clock.case_id)
            assert (case.next_deadline_kind, case.next_deadline_on) == ("triage_decision", new_due)

        # The old day passes quietly, the new one loudly.
        await env.sleep(clock.overdue_at - await env.get_current_time() + timedelta(days=2))
        assert told(await outbox(database, clock.case_id)) == []
        # Sent again (a relay's repeat), the same version changes nothing.
        await handle.signal(POLICY_CHANGED, changed(book, new_due))
        await env.sleep(datetime.combine(new_due + timedelta(days=1), time(1), tzinfo=FINNISH_TIME) - await env.get_current_time())
        assert told(await outbox(database, clock.case_id)) == [("deadline_missed", "caseworker", "triage_decision")]
        assert await handle.result() == "escalated"
        assert [e["reason"].split(":")[0] for e in await timeline(database, clock.case_id)].count("policy.deadline_moved") == 1
        history = await handle.fetch_history()
    await Replayer(workflows=[TriageDeadlineWorkflow], data_converter=data_converter(load_settings().data_key_bytes)).replay_workflow(history)
    if os.environ.get("KOTOPOLKU_RECORD_HISTORIES"):
        (HISTORIES / "triage_policy_changed_deadline_moved_then_missed.json").write_text(history.to_json())


async def test_a_passed_triage_deadline_stays_passed_and_its_escalation_stands(database, time_skipping_env, tmp_path):
    env = time_skipping_env
    clock = await triaged(database, "triage-passed")
    book = new_policy(tmp_path, 60)
    async with worker(env, database):
        handle = await env.client.start_workflow(
            TRIAGE_DEADLINE_WORKFLOW, clock, id=triage_workflow_id(clock.case_id), task_queue=task_queue("intake")
        )
        await env.sleep(clock.overdue_at - await env.get_current_time() + timedelta(days=1))
        assert told(await outbox(database, clock.case_id)) == [("deadline_missed", "caseworker", "triage_decision")]
        new_due = today() + timedelta(days=60)
        await handle.signal(POLICY_CHANGED, changed(book, new_due))
        # The coordinator is told on the day the passing set; the move is on the timeline as passed.
        assert await handle.result() == "escalated"
    reasons = [entry["reason"] for entry in await timeline(database, clock.case_id)]
    assert f"policy.passed_deadline_moved: triage_decision {clock.due_on.isoformat()} → {new_due.isoformat()} (681/2023 amended)" in reasons
    assert told(await outbox(database, clock.case_id)) == [
        ("deadline_missed", "caseworker", "triage_decision"), ("deadline_missed", "coordinator", "triage_decision")
    ]
    async with database.session() as session:
        case = await session.get(ClientCase, clock.case_id)
        assert (case.status, case.next_deadline_on) == ("needs_triage", new_due)


async def test_an_ended_clock_s_passed_deadline_is_moved_by_the_apply_itself(database, tmp_path, monkeypatch):
    clock = await triaged(database, "triage-ended")
    later = clock.due_on + timedelta(days=1 + BOOK.default.assessment_escalation_days)
    monkeypatch.setattr(triage_policy, "today", lambda: later)  # the clock told the coordinator and ended
    book = new_policy(tmp_path, 30)
    async with database.session() as session:
        told_count, moves = await triage_policy.apply(session, book)
        await session.commit()
        signals = (await session.exec(select(WorkflowCommand).where(WorkflowCommand.kind == "signal"))).all()
    assert told_count == 1 and [m.passed for m in moves] == [True]
    assert signals == []  # no signal to a clock that has ended
    entry = (await timeline(database, clock.case_id))[-1]
    assert entry["reason"].startswith("policy.passed_deadline_moved: triage_decision ")
    assert entry["status"] == "needs_triage"
