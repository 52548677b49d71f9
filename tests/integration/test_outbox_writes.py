"""A transaction's events and workflow commands reach the database in one statement per table (on
SQLite and PostgreSQL), in the order they were written, and only if the transaction commits."""

from __future__ import annotations

from sqlmodel import select

from shared.contracts import INTERNAL_EXCHANGE
from shared.envelope import Envelope
from shared.messaging import OutboxMessage, add_event
from shared.workflow_commands import WorkflowCommand, signal_workflow, start_workflow
from support import statements_sent


async def test_events_and_commands_go_in_one_statement_per_table_in_their_order(database):
    events = [Envelope.new(type="test.written", source="urn:kotopolku:test", data={"n": n}, subject="case-1") for n in range(3)]
    with statements_sent(database) as sent:
        async with database.session() as session:
            for event in events:
                add_event(session, event, exchange=INTERNAL_EXCHANGE)
            start_workflow(session, "Greeter", {"name": "hei"}, id="client-1", task_queue="test")
            signal_workflow(session, "client-1", "say", "moi")
            await session.commit()
    assert [statement.split(" (")[0] for statement in sent if statement.startswith("INSERT")] == [
        "INSERT INTO outbox", "INSERT INTO workflow_command"
    ]
    async with database.session() as session:
        outbox = (await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        commands = (await session.exec(select(WorkflowCommand).order_by(WorkflowCommand.id))).all()
    assert [row.event_id for row in outbox] == [event.id for event in events]
    assert [(row.kind, row.arg) for row in commands] == [("start", {"name": "hei"}), ("signal", "moi")]
    assert all(row.attempts == 0 and row.published_at is None for row in outbox)


async def test_rows_written_before_a_rollback_are_gone_with_it(database):
    async with database.session() as session:
        add_event(session, Envelope.new(type="test.unsaid", source="urn:kotopolku:test", data={}), exchange=INTERNAL_EXCHANGE)
        await session.flush()  # in the database, inside the transaction
        assert len((await session.exec(select(OutboxMessage))).all()) == 1
        await session.rollback()
    async with database.session() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
