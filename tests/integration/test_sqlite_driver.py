"""The SQLite driver (shared/sqlite_driver.py): one trip to the connection's thread a statement,
the same results as aiosqlite's own adapter, a writer that waits for the lock without holding up
the event loop, and the writers of one process taking turns."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import aiosqlite
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from shared import sqlite_driver
from shared.db import Database


@pytest.fixture
async def database(tmp_path):
    database = Database("intake", f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE client (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"))
        await connection.execute(text("INSERT INTO client VALUES (1, 'Aino'), (2, 'Bashir')"))
    yield database
    await database.dispose()


@pytest.fixture
def trips(monkeypatch):
    """Counts the calls run in an aiosqlite connection's thread."""
    counted: list[str] = []
    execute = aiosqlite.Connection._execute

    async def counting(self, fn, *args, **kwargs):
        counted.append(getattr(fn, "__name__", repr(fn)))
        return await execute(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return counted


async def test_a_read_is_one_trip_to_the_thread_and_a_write_two(database, trips):
    async with database.session() as session:  # the pool's connection, already open
        await session.exec(text("SELECT 1"))
    trips.clear()

    async with database.session() as session:
        names = (await session.exec(text("SELECT name FROM client ORDER BY id"))).scalars().all()
    assert names == ["Aino", "Bashir"]
    # The statement, its rows and its cursor's close together; nothing to roll back after a read.
    # (aiosqlite's own adapter: cursor, execute, fetchall, close, and a rollback by the session and
    # another by the pool: six.)
    assert len(trips) == 1, trips

    trips.clear()
    async with database.session() as session:
        await session.exec(text("UPDATE client SET name = 'Aino K.' WHERE id = 1"))
        await session.commit()
    assert len(trips) == 2, trips  # the statement and the commit (five before); the pool has nothing to roll back


async def test_statements_answer_as_sqlite_does(database):
    async with database.engine.begin() as connection:
        updated = await connection.execute(text("UPDATE client SET name = name || '!' WHERE id IN (1, 2)"))
        assert updated.rowcount == 2
        inserted = await connection.execute(text("INSERT INTO client (name) VALUES ('Chen')"))
        assert inserted.lastrowid == 3
        returned = await connection.execute(text("INSERT INTO client (name) VALUES ('Dana') RETURNING id, name"))
        assert returned.all() == [(4, "Dana")]
        many = await connection.execute(text("INSERT INTO client (name) VALUES (:name)"), [{"name": "Eero"}, {"name": "Fatima"}])
        assert many.rowcount == 2
        assert (await connection.execute(text("SELECT count(*) FROM client"))).scalar_one() == 6

    with pytest.raises(IntegrityError):  # SQLAlchemy's error, as with aiosqlite's adapter
        async with database.engine.begin() as connection:
            await connection.execute(text("INSERT INTO client (name) VALUES ('Chen')"))
    async with database.session() as session:  # the failed transaction was rolled back
        assert (await session.exec(text("SELECT count(*) FROM client"))).scalar_one() == 6


async def test_a_writer_waiting_for_the_lock_leaves_the_event_loop_free(database, tmp_path):
    other_process = sqlite3.connect(tmp_path / "intake.db", isolation_level=None)
    other_process.execute("BEGIN IMMEDIATE")  # holds the file's one write lock
    other_process.execute("UPDATE client SET name = 'Aino O.' WHERE id = 1")

    async def write() -> None:
        async with database.session() as session:
            await session.exec(text("UPDATE client SET name = 'Bashir B.' WHERE id = 2"))
            await session.commit()

    writer = asyncio.create_task(write())
    ticks = 0
    for _ in range(30):  # 0.3 s while the writer waits in its busy timeout
        await asyncio.sleep(0.01)
        ticks += 1
    assert not writer.done()
    other_process.execute("COMMIT")
    other_process.close()
    await asyncio.wait_for(writer, 10)
    assert ticks == 30
    async with database.session() as session:
        names = dict((await session.exec(text("SELECT id, name FROM client"))).all())
    assert names == {1: "Aino O.", 2: "Bashir B."}


async def test_a_write_cancelled_before_it_ran_is_rolled_back_once_it_has(database, tmp_path, monkeypatch):
    """A cancelled statement runs on in the connection's thread, and may begin its transaction after
    the session has let go (which, seeing none yet, makes no trip to roll back). The connection must
    not go back to the pool in the middle of that write, holding the file's write lock: SQLAlchemy
    invalidates it, and its close, after the statement, rolls back."""
    started = threading.Event()
    run_statement = sqlite_driver._run_statement

    def slow_to_start(*args):
        started.set()
        time.sleep(0.3)  # the thread busy a moment: the task is cancelled before the statement begins
        return run_statement(*args)

    async def write() -> None:
        async with database.session() as session:
            await session.exec(text("UPDATE client SET name = 'Cancelled' WHERE id = 1"))
            await session.commit()

    async with database.session() as session:  # the pool's connection, already open
        await session.exec(text("SELECT 1"))
    monkeypatch.setattr(sqlite_driver, "_run_statement", slow_to_start)
    writer = asyncio.create_task(write())
    while not started.is_set():
        await asyncio.sleep(0.01)
    writer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writer
    monkeypatch.setattr(sqlite_driver, "_run_statement", run_statement)
    await asyncio.sleep(0.5)  # the statement has run in the thread by now

    other_process = sqlite3.connect(tmp_path / "intake.db", timeout=1)
    try:
        other_process.execute("UPDATE client SET name = 'Bashir B.' WHERE id = 2")  # the write lock is free
        other_process.commit()
    finally:
        other_process.close()
    async with database.session() as session:  # the same pooled connection: no write left open in it
        await session.exec(text("UPDATE client SET name = 'Aino A.' WHERE id = 1"))
        await session.commit()
        names = dict((await session.exec(text("SELECT id, name FROM client"))).all())
    assert names == {1: "Aino A.", 2: "Bashir B."}


@pytest.fixture
def no_busy_wait(database):
    """SQLite's busy handler off: a writer that finds the write lock taken fails at once."""
    def off(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    event.listen(database.engine.sync_engine, "connect", off)
    return database


async def writing(database: Database, row_id: int, name: str, hold: float = 0.05) -> None:
    """A write transaction that keeps the loop busy elsewhere a moment before it commits."""
    async with database.session() as session:
        await session.exec(text(f"UPDATE client SET name = '{name}' WHERE id = {row_id}"))
        await asyncio.sleep(hold)
        await session.commit()


async def test_the_writers_of_a_process_take_turns_instead_of_meeting_the_lock(no_busy_wait):
    """Each transaction's first write waits on the event loop for the one before to end: with SQLite's
    busy handler off, none of them finds the write lock taken ('database is locked')."""
    await asyncio.gather(*(writing(no_busy_wait, 1 + i % 2, f"name {i}") for i in range(6)))
    async with no_busy_wait.session() as session:
        names = dict((await session.exec(text("SELECT id, name FROM client"))).all())
    assert names[1] in {"name 0", "name 2", "name 4"} and names[2] in {"name 1", "name 3", "name 5"}


async def test_a_turn_is_given_back_by_a_rollback_an_error_and_a_cancelled_writer(no_busy_wait):
    async with no_busy_wait.session() as session:  # rolled back, not committed
        await session.exec(text("UPDATE client SET name = 'never' WHERE id = 1"))
    with pytest.raises(IntegrityError):
        async with no_busy_wait.session() as session:
            await session.exec(text("UPDATE client SET name = 'Bashir' WHERE id = 1"))  # not unique
    cancelled = asyncio.create_task(writing(no_busy_wait, 1, "cancelled", hold=10))
    await asyncio.sleep(0.2)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await asyncio.wait_for(writing(no_busy_wait, 1, "Aino A."), 5)  # its turn came at once
    async with no_busy_wait.session() as session:
        assert (await session.exec(text("SELECT name FROM client WHERE id = 1"))).scalar() == "Aino A."


async def test_a_writer_waits_for_its_turn_no_longer_than_for_the_lock(database, monkeypatch):
    monkeypatch.setattr(sqlite_driver, "TURN_WAIT_SECONDS", 0.2)
    holder = asyncio.create_task(writing(database, 1, "held", hold=1.0))
    await asyncio.sleep(0.1)
    with pytest.raises(OperationalError, match="database is locked"):
        await writing(database, 2, "waited too long")
    await holder
