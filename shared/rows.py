"""Whole-row writes that may run again (an activity retried, a catalogue reloaded, an event
redelivered): the row of the key is added, or the one already there gets the new values — the same
end either way."""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

from sqlalchemy import inspect, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

Row = TypeVar("Row", bound=SQLModel)


async def put_row(session: AsyncSession, table: type[Row], **values: Any) -> Row:
    """The row with these values (the primary key among them), added or overwritten in the
    caller's unit of work."""
    [key] = [column.key for column in inspect(table).primary_key]
    row = await session.get(table, values[key])
    if row is None:
        row = table(**values)
    else:
        for name, value in values.items():
            if name != key:
                setattr(row, name, value)
    session.add(row)
    return row


async def put_unless_newer(session: AsyncSession, table: type[SQLModel], values: dict[str, Any], *, newer: str, keep: Iterable[str] = ()) -> None:
    """The row with these values (the primary key among them) added, or the one there overwritten
    unless its `newer` column is later than the value given (an older change arriving late), in one
    statement: a projection's write, with no read before it. Columns in `keep` are written only when
    the row is added; columns not given keep what the row has (or their defaults, when added)."""
    columns = table.__table__.columns
    keys = {column.key for column in inspect(table).primary_key}
    added = table(**values)  # the model's defaults for the columns not given
    statement = (postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert)(table.__table__)
    statement = statement.values({column.key: getattr(added, column.key) for column in columns})
    there, given = columns[newer], statement.excluded[newer]
    await session.exec(statement.on_conflict_do_update(
        index_elements=sorted(keys),
        set_={name: statement.excluded[name] for name in values if name not in keys and name not in set(keep)},
        where=or_(there.is_(None), there <= given),
    ))

