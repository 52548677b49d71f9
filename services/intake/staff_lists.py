"""What intake's staff lists (match reviews, recruitment notices) share: after `scoped` has kept
the rows of the user's municipalities, the filters a list takes."""

from __future__ import annotations

from enum import StrEnum


def filtered(query, table, *, status: StrEnum | None, municipality: str | None):
    """Only the rows of `table` in this status, and of this one of the user's municipalities."""
    if status is not None:
        query = query.where(table.status == status)
    if municipality:
        query = query.where(table.municipality_code == municipality)
    return query
