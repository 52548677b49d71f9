"""SQLAlchemy's aiosqlite dialect, with one trip to the connection's thread per statement.

aiosqlite runs each SQLite connection in a thread of its own; every call on it is a trip there and
back (a queue, then a wake-up of the event loop). SQLAlchemy's adapter makes four for a statement
(open a cursor, execute, fetch the rows, close the cursor) and one more for each commit and
rollback, also when there is nothing to commit or roll back. The trips, not SQLite, were most of
the CPU time a statement cost (docs/benchmarks.md, "2026-12-06, last"): here a statement runs,
its rows are fetched and its cursor closed in one trip, and a commit or rollback outside a
transaction makes none.

The statement still runs in the connection's thread, never on the event loop: a writer waiting for
another process's write lock (the busy timeout) holds up only its own connection.

Depends on aiosqlite's `Connection._execute` (run a function in the connection's thread), pinned
with aiosqlite in pyproject.toml; every SQLite test goes through it.
"""

from __future__ import annotations

import collections
import sqlite3
from dataclasses import dataclass
from typing import Any

from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
    SQLiteDialect_aiosqlite,
)
from sqlalchemy.util.concurrency import await_

DRIVERNAME = "sqlite+kotopolku"  # in an engine's URL; settings still take sqlite+aiosqlite://


@dataclass(slots=True)
class Statement:
    """What a cursor says of its finished statement (closed in the thread, its rows taken)."""

    description: Any = None
    rowcount: int = -1
    lastrowid: int | None = None
    arraysize: int = 1


def _run_statement(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> tuple[Statement, list]:
    """In the connection's thread: the statement run, its rows, its cursor closed."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return Statement(cursor.description, cursor.rowcount, cursor.lastrowid), rows
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_dbapi_cursor):
    """A cursor whose statement makes one trip to the thread: the rows come back with it. In
    place of aiosqlite's cursor it keeps the last statement's `Statement`, which the adapter's
    own `description`, `rowcount`, `lastrowid` and `arraysize` read."""

    __slots__ = ()

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = Statement()
        self._soft_closed_memoized = {}
        self._rows = collections.deque()

    async def _async_soft_close(self) -> None:
        return None  # the rows are here already and the cursor is closed

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        return self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        return self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        try:
            statement, rows = await_(self._in_thread(operation, parameters, many))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        statement.arraysize = self._cursor.arraysize
        self._cursor, self._rows = statement, collections.deque(rows)

    async def _in_thread(self, operation: Any, parameters: Any, many: bool) -> tuple[Statement, list]:
        async with self._adapt_connection._execute_mutex:
            return await self._connection._execute(_run_statement, self._connection._conn, operation, parameters, many)

    def nextset(self) -> None:
        return None  # SQLite has one result set a statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor

    def _in_transaction(self) -> bool:
        """Read from the event loop's thread while no statement of this connection runs. A statement
        cancelled while in the thread goes on there, but SQLAlchemy then invalidates the connection:
        its close follows the statement in the thread and rolls back (shared.db.RollingBackConnection)."""
        connection = self._connection._connection  # None once closed
        return connection is not None and connection.in_transaction

    def rollback(self) -> None:
        # The session and then the pool roll back every connection they are done with; outside a
        # transaction that is a trip for nothing.
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = super().connect(*arg, **kw)
        return OneTripConnection(self, connection._connection)


class SQLiteDialect_kotopolku(SQLiteDialect_aiosqlite):
    driver = "kotopolku"
    supports_statement_cache = True  # the same SQL as the aiosqlite dialect it extends

    @classmethod
    def import_dbapi(cls) -> OneTripDbapi:
        return OneTripDbapi(__import__("aiosqlite"), __import__("sqlite3"))


registry.register(DRIVERNAME.replace("+", "."), __name__, "SQLiteDialect_kotopolku")
