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

The writers of one process take turns on each file (`writer_turn`): a transaction's first write
waits on the event loop for the one before it to end, and starts the moment it has. Left to
SQLite, a writer that finds the file's one write lock taken sleeps in its busy handler, in steps
of 1, 2, 5, 10 ms and longer, so it waited several times as long as the write before it took
(docs/benchmarks.md). Another process's writers are still waited for in SQLite's busy handler.

Depends on aiosqlite's `Connection._execute` (run a function in the connection's thread), pinned
with aiosqlite in pyproject.toml; every SQLite test goes through it.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import weakref
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

# Statements before which Python's sqlite3 begins a transaction: a write transaction's first.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
# As long as SQLite's own busy timeout (shared/db.py): a writer waits no longer for its turn.
TURN_WAIT_SECONDS = 30.0


_turns: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]]" = weakref.WeakKeyDictionary()


def writer_turn(path: str) -> asyncio.Lock:
    """The lock of a SQLite file on this event loop: held by this process's writer of that file from
    its transaction's first write to its end (commit, rollback or the connection closed)."""
    return _turns.setdefault(asyncio.get_running_loop(), {}).setdefault(path, asyncio.Lock())


def begins_writing(operation: str) -> bool:
    return operation.lstrip()[:7].upper().startswith(WRITES)


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
        adapt = self._adapt_connection
        if adapt._turn is None and adapt._path and begins_writing(operation) and not adapt._in_transaction():
            await adapt._take_turn()
        async with adapt._execute_mutex:
            return await self._connection._execute(_run_statement, self._connection._conn, operation, parameters, many)

    def nextset(self) -> None:
        return None  # SQLite has one result set a statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("_path", "_turn", "_turn_loop")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        # The file, when it is one (shared.db.RollingBackConnection says): a database in memory is
        # each connection's own, with no writer to wait for.
        self._path: str | None = getattr(connection._conn, "path", None)
        self._turn: asyncio.Lock | None = None
        self._turn_loop: asyncio.AbstractEventLoop | None = None

    async def _take_turn(self) -> None:
        turn = writer_turn(self._path)
        try:
            async with asyncio.timeout(TURN_WAIT_SECONDS):
                await turn.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None  # as SQLite says it
        self._turn, self._turn_loop = turn, asyncio.get_running_loop()

    def _give_turn(self) -> None:
        """After the transaction's end. A connection the pool closes from elsewhere (the garbage
        collector of another thread) gives its turn back on its event loop."""
        turn, self._turn = self._turn, None
        if turn is None:
            return
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if here is self._turn_loop:
            turn.release()
        else:
            self._turn_loop.call_soon_threadsafe(turn.release)

    def _in_transaction(self) -> bool:
        """Read from the event loop's thread while no statement of this connection runs. A statement
        cancelled while in the thread goes on there, but SQLAlchemy then invalidates the connection:
        its close follows the statement in the thread and rolls back (shared.db.RollingBackConnection)."""
        connection = self._connection._connection  # None once closed
        return connection is not None and connection.in_transaction

    def rollback(self) -> None:
        # The session and then the pool roll back every connection they are done with; outside a
        # transaction that is a trip for nothing.
        try:
            if self._in_transaction():
                super().rollback()
        finally:
            self._give_turn()

    def commit(self) -> None:
        try:
            if self._in_transaction():
                super().commit()
        finally:
            self._give_turn()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._give_turn()

    def terminate(self) -> None:
        try:
            super().terminate()
        finally:
            self._give_turn()


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
