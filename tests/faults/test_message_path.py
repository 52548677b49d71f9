"""What the fault suite (tests/faults/run.py) found in the message path, each pinned by a test."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError

from services.intake.app import MIGRATIONS
from shared import messaging
from shared.db import Database
from shared.messaging import run_relay


def test_a_database_migrated_in_one_event_loop_serves_the_next(postgres_url):
    """`kotopolku run` migrates in one event loop and serves in another: the connections opened
    for the migration must not be handed to the relays and consumers (asyncpg: "attached to a
    different loop"), which would then fail their first round, and a consumer would spend an
    attempt of a good message on it."""
    database = Database("intake", postgres_url)
    asyncio.run(database.migrate(MIGRATIONS))

    async def serve() -> int:
        try:
            async with database.session() as session:
                return (await session.exec(text("SELECT 1"))).one()[0]
        finally:
            await database.dispose()

    assert asyncio.run(serve()) == 1


async def test_a_waiting_relay_logs_what_failed_without_the_statement_and_its_parameters(monkeypatch):
    """A database going away mid-statement: SQLAlchemy's message carries the statement and its
    parameters (names, addresses); the relay's warning names the error, not the data."""
    error = InterfaceError(
        "UPDATE client SET given_names=$1", ("Amina Hassan", "amina@example.org"), Exception("connection is closed")
    )

    async def send_pending() -> int:
        raise error

    with structlog.testing.capture_logs() as logs:
        # A fresh logger: once Kotopolku's logging is configured (by an earlier test in this
        # process) the module's logger keeps the processors it first used, and nothing is captured.
        monkeypatch.setattr(messaging, "log", structlog.get_logger(messaging.__name__))
        relay = asyncio.create_task(run_relay(send_pending, batch_size=10, poll_interval=0.1, what="test relay"))
        await asyncio.sleep(0.3)
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)
    waits = [entry for entry in logs if entry["event"] == "relay waits"]
    assert waits, logs
    assert "connection is closed" in waits[0]["error"]
    assert "Amina" not in str(waits) and "UPDATE client" not in str(waits)
