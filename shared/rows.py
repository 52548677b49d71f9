"""Whole-row writes that may run again (an activity retried, a catalogue reloaded): the row of the
key is added, or the one already there gets the new values — the same end either way."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect
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
