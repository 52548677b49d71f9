"""A SQLite connection closed in the middle of its work never keeps the file's write lock.

When a task is cancelled between a query and reading its rows (Kotopolku stopping, a caller gone),
the pool closes its connection with that query's cursor still open. Python's sqlite3 then keeps
the connection, and its transaction, alive until the cursor is freed: a transaction that had
written held SQLite's one write lock, and every other writer of the file waited until its busy
timeout ("database is locked") — seen when a test started Kotopolku again on the same files."""

from __future__ import annotations

import sqlite3

from sqlalchemy import text

from shared.db import Database


async def test_a_connection_closed_with_a_cursor_still_open_lets_the_next_writer_in(tmp_path):
    path = tmp_path / "intake.db"
    database = Database("intake", f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.begin() as connection:
            await connection.execute(text("CREATE TABLE client (id INTEGER PRIMARY KEY, name TEXT)"))
            await connection.execute(text("INSERT INTO client VALUES (1, 'Aino'), (2, 'Bashir')"))

        async with database.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            # What a cancelled task leaves behind: a write, then a query whose rows were never read.
            await driver.execute("UPDATE client SET name = 'Aino K.' WHERE id = 1")
            cursor = await driver.execute("SELECT id, name FROM client")
            await cursor.fetchone()
            await driver.close()  # the pool closing it, with the cursor still open

            other_writer = sqlite3.connect(path, timeout=1)
            try:
                other_writer.execute("UPDATE client SET name = 'Bashir A.' WHERE id = 2")
                other_writer.commit()
                names = dict(other_writer.execute("SELECT id, name FROM client").fetchall())
            finally:
                other_writer.close()
            await connection.invalidate()
        assert names == {1: "Aino", 2: "Bashir A."}  # the unfinished write was rolled back
    finally:
        await database.dispose()
