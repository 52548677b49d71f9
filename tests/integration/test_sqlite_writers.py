"""SQLite's one writer: a statement that finds another connection writing waits in Kotopolku's
short steps (`shared/db.py`), not in SQLite's busy handler, whose steps grow to 100 ms; it still
fails, as before, when the lock is held longer than the wait allows, and a transaction whose
snapshot another writer replaced fails at once."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

import shared.db
from shared.db import Database, WaitingConnection, _WriterTurns, _waiting


@pytest.fixture
async def two_writers(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}"
    first, second = Database("intake", url), Database("intake", url)
    async with first.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE visit (n INTEGER)"))
    yield first, second
    await first.dispose()
    await second.dispose()


async def _hold_the_write_lock(database: Database, taken: asyncio.Event, release: asyncio.Event) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("INSERT INTO visit VALUES (1)"))
        taken.set()
        await release.wait()


async def test_the_connections_wait_in_kotopolkus_steps_and_not_in_sqlites_busy_handler(two_writers):
    first, _ = two_writers
    async with first.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.driver_connection._conn, WaitingConnection)
        assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == 0


async def test_a_writer_waits_for_the_other_to_commit_and_then_writes(two_writers):
    first, second = two_writers
    taken, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold_the_write_lock(first, taken, release))
    await taken.wait()

    async def write() -> None:
        async with second.engine.begin() as connection:
            await connection.execute(text("INSERT INTO visit VALUES (2)"))

    waiter = asyncio.create_task(write())
    await asyncio.sleep(0.2)
    assert not waiter.done()  # waiting, not failed: with busy_timeout 0 SQLite alone would fail at once
    release.set()
    await asyncio.gather(holder, waiter)
    async with second.engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM visit"))).scalar() == 2


async def test_a_writer_still_fails_when_the_lock_is_held_longer_than_the_wait(two_writers, monkeypatch):
    first, second = two_writers
    monkeypatch.setattr(shared.db, "SQLITE_WRITER_WAIT_SECONDS", 0.1)
    taken, release = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(_hold_the_write_lock(first, taken, release))
    await taken.wait()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with second.engine.begin() as connection:
                await connection.execute(text("INSERT INTO visit VALUES (2)"))
    finally:
        release.set()
        await holder


def _failing(*codes: int):
    """A call that fails with these SQLite error codes in turn, then answers "done"."""
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= len(codes):
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorcode = codes[len(calls) - 1]
            raise error
        return "done"

    return call, calls


def test_busy_is_tried_again_and_a_replaced_snapshot_is_not():
    call, calls = _failing(sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY)
    assert _waiting(_WriterTurns(), call) == "done" and len(calls) == 3

    busy_snapshot = sqlite3.SQLITE_BUSY | (2 << 8)  # SQLITE_BUSY_SNAPSHOT: only a new transaction can succeed
    call, calls = _failing(busy_snapshot)
    with pytest.raises(sqlite3.OperationalError):
        _waiting(_WriterTurns(), call)
    assert len(calls) == 1


def test_a_connection_closes_twice_and_a_rolled_back_write_lets_the_next_writer_in(tmp_path):
    path = str(tmp_path / "plain.db")
    first, second = sqlite3.connect(path, factory=WaitingConnection), sqlite3.connect(path, factory=WaitingConnection)
    first.execute("CREATE TABLE visit (n INTEGER)")
    first.commit()
    assert first.writer_turns is second.writer_turns  # one file, one queue of writers in this process
    first.execute("INSERT INTO visit VALUES (1)")
    turn = first.writer_turns.turn
    first.rollback()
    assert first.writer_turns.turn == turn + 1
    second.execute("INSERT INTO visit VALUES (2)")
    second.commit()
    first.close()
    first.close()  # as sqlite3's own connections do, a second close does nothing
    second.close()
