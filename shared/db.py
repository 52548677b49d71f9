"""Each service's own database: an async engine, sessions and Alembic migrations.

SQLite (the embedded default) gives each service its own file. PostgreSQL may be shared: each
service then lives in its own schema, which is the connections' `search_path`, so the same
unqualified models and migrations serve both.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import AsyncIterator

from alembic import command
from alembic.config import Config

from sqlalchemy import Column, DateTime, TypeDecorator, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


class Database:
    def __init__(self, service: str, url: str, *, sqlite_synchronous: str = "full") -> None:
        self.service = service
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.schema = None if self.is_sqlite else service
        if self.is_sqlite:
            database = make_url(url).database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: AsyncEngine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
            event.listen(self.engine.sync_engine, "connect", partial(_sqlite_pragmas, synchronous=sqlite_synchronous))
        else:
            # Every connection works in the service's own schema (tables, migrations, raw DDL alike).
            self.engine = create_async_engine(
                url, pool_pre_ping=True, connect_args={"server_settings": {"search_path": self.schema}}, hide_parameters=True
            )
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: rolled back unless the caller commits."""
        async with self.sessions() as session:
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate(self, migrations_dir: Path) -> None:
        """Bring this service's tables to the newest revision (idempotent)."""
        if self.schema:
            async with self.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
        async with self.engine.begin() as connection:
            await connection.run_sync(self._upgrade, migrations_dir)
        # The pool's connections belong to this event loop; `kotopolku run` migrates in one loop and
        # serves in the next, where a pooled asyncpg connection fails ("attached to a different loop").
        await self.engine.dispose()

    def _upgrade(self, connection, migrations_dir: Path) -> None:
        config = Config()
        config.set_main_option("script_location", str(migrations_dir))
        config.attributes["connection"] = connection
        config.attributes["service"] = self.service
        config.attributes["schema"] = self.schema
        command.upgrade(config, "head")

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record, *, synchronous: str = "full") -> None:
    # WAL: readers (the dashboard) never wait for the writer, and a commit appends to the log
    # instead of rewriting pages; with synchronous=FULL each commit is still flushed to disk before
    # it is answered (NORMAL saves that flush at the price of the last commits on a power cut).
    # The busy timeout lets a writer wait for another's commit instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={'NORMAL' if synchronous == 'normal' else 'FULL'}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def run_migrations_online(context, target_metadata, tables: set[str]) -> None:
    """Body of every service's `migrations/env.py`: run on the connection `Database` hands over.

    All services' models share SQLModel's metadata; `tables` says which are this service's."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations with `kotopolku migrate`, which supplies the connection")
    service = config.attributes["service"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=f"alembic_version_{service}",
        version_table_schema=config.attributes.get("schema"),
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=lambda _object, name, type_, _reflected, _compare_to: type_ != "table" or name in tables,
    )
    with context.begin_transaction():
        context.run_migrations()



class UtcDateTime(TypeDecorator):
    """Timestamps are stored in UTC and always read back time-zone aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("timestamps must be time-zone aware")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, _dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utc_column(*, nullable: bool = False, index: bool = False) -> Column:
    return Column(UtcDateTime(), nullable=nullable, index=index)
