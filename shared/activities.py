"""What every service's Temporal activities start from: the service's context, and a unit of work
that commits when the activity's change is done."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, AsyncIterator, Callable

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from shared.service import ServiceContext


class ServiceActivities:
    """A service's activities: `@activity.defn` methods on one object that holds the service's
    context; `all()` lists them for the service's worker."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[AsyncSession]:
        """A session whose changes are committed when the block ends (rolled back when it raises)."""
        async with self.ctx.db.session() as session:
            yield session
            await session.commit()

    def all(self) -> list[Callable]:
        raise NotImplementedError
