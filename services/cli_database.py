"""How a `kotopolku` command reaches a service's database: brought up to its newest tables first
(as `kotopolku run` would), the work done, the connections closed. Every command group uses these
two, so that a command never works on tables older than the code."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from shared.db import Database
from shared.settings import ConfigurationError, Settings

T = TypeVar("T")


def service_migrations(service: str) -> Path:
    """The migrations of a service (`intake`, `assessment`, `planning`, `notifications`)."""
    return importlib.import_module(f"services.{service}.app").MIGRATIONS


async def with_database(settings: Settings, service: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """`work(database)` on the service's database brought up to date; disposed afterwards."""
    database = Database(service, settings.service_database_url(service))
    try:
        await database.migrate(service_migrations(service))
        return await work(database)
    finally:
        await database.dispose()


def run_in_service(service: str, work: Callable[[AsyncSession], Awaitable[T]], settings: Settings | None = None) -> T:
    """`work(session)` in one transaction of the service's database, committed; a configuration
    error (e.g. a data key that is not valid) ends the command with its reason."""
    from services.cli import fail, get_settings  # the command group imports this module

    settings = settings or get_settings()

    async def in_one_transaction(database: Database) -> Any:
        async with database.session() as session:
            result = await work(session)
            await session.commit()
            return result

    try:
        return asyncio.run(with_database(settings, service, in_one_transaction))
    except ConfigurationError as error:
        fail(f"configuration error: {error}")
        raise  # fail() has ended the command
