"""Whole-row writes that may run again (an activity retried, a catalogue reloaded, an event
redelivered): the row of the key is added, or the one already there gets the new values — the same
end either way."""

from __future__ import annotations

from functools import cache
from typing import Any, Iterable

from sqlalchemy import inspect, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

async def put_row(session: AsyncSession, table: type[SQLModel], **values: Any) -> None:
    """The row with these values (the primary key among them) added, or the one there overwritten
    (the columns not given keep what it has), in one statement of the caller's transaction."""
    await _put(session, table, values)


async def put_unless_newer(session: AsyncSession, table: type[SQLModel], values: dict[str, Any], *, newer: str, keep: Iterable[str] = ()) -> None:
    """As `put_row`, unless the row there is newer (its `newer` column later than the value given):
    a projection's write of a change that may arrive after a later one. Columns in `keep` are
    written only when the row is added."""
    await _put(session, table, values, newer=newer, keep=keep)


async def _put(session: AsyncSession, table: type[SQLModel], values: dict[str, Any], *, newer: str | None = None, keep: Iterable[str] = ()) -> None:
    # No read before the write: an insert that updates the row of its key when there is one.
    given = frozenset(values)
    row = {name: None if field.is_required() else field.get_default(call_default_factory=True) for name, field in _left_out(table, given)} | values
    await session.exec(_upsert(table, session.bind.dialect.name, given, newer, frozenset(keep)), params=row)


@cache
def _left_out(table: type[SQLModel], given: frozenset[str]) -> list[tuple[str, Any]]:
    """The columns not given, with their model fields: their defaults fill them in a new row."""
    return [(column.key, table.model_fields[column.key]) for column in table.__table__.columns if column.key not in given]


@cache
def _upsert(table: type[SQLModel], dialect: str, given: frozenset[str], newer: str | None, keep: frozenset[str]) -> Any:
    """The statement, built once for each shape (building it costs more than running it); the
    row's values are its parameters."""
    columns = table.__table__.columns
    keys = sorted(column.key for column in inspect(table).primary_key)
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table.__table__)
    kept = {*keys, *keep}
    where = None
    if newer is not None:
        there, given_time = columns[newer], statement.excluded[newer]
        where = or_(there.is_(None), there <= given_time)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: statement.excluded[name] for name in sorted(given) if name not in kept},
        where=where,
    )
