"""One page model and one way to cut a query into pages, for every list Kotopolku serves."""

from __future__ import annotations

from typing import Annotated, Any, Callable, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

ItemT = TypeVar("ItemT")

# Bounded, so no page number can overflow a database offset.
PageNumber = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=200, description="items per page")]


class Pagination(BaseModel):
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _pagination(page: PageNumber = 1, page_size: PageSize = 50) -> Pagination:
    return Pagination(page=page, page_size=page_size)


PageParams = Annotated[Pagination, Depends(_pagination)]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    page_size: int


async def paginate(
    session: AsyncSession, statement, pagination: Pagination, item: Callable[[Any], ItemT] | None = None
) -> Page[ItemT]:
    """One page of the (already ordered) statement, and how many rows it has in all. `item` turns
    a row (a model, or a tuple when the statement selects several) into what the page lists."""
    total = (await session.exec(select(func.count()).select_from(statement.order_by(None).subquery()))).one()
    result = await session.exec(statement.offset(pagination.offset).limit(pagination.page_size))
    rows = result.all()
    return Page(
        items=[item(row) for row in rows] if item else list(rows),
        total=total,
        page=pagination.page,
        page_size=pagination.page_size,
    )
