"""The SQLite driver (shared/sqlite_driver.py): one trip to the connection's thread a statement,
the same results as aiosqlite's own adapter, and a writer that waits for the lock without
holding up the event loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

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
