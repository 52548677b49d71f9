"""Upgrades: each service's migrations build exactly the tables its models describe (`alembic
check`), and a database made by a service's first migration, with a row in every table, upgrades
to the newest schema with its rows intact — on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from services.runner import SERVICE_APPS
from shared.db import Database
from shared.settings import SERVICES


def _database(service: str, database_url: str | None, tmp_path) -> Database:
    return Database(service, database_url or f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}")


@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_build_what_the_models_describe(service, database_url, tmp_path):
    database = _database(service, database_url, tmp_path)
    try:
        await database.migrate(SERVICE_APPS[service].MIGRATIONS)
        await database.check(SERVICE_APPS[service].MIGRATIONS)  # raises, listing every difference
    finally:
        await database.dispose()


@pytest.mark.parametrize("service", SERVICES)
async def test_a_populated_first_schema_upgrades_to_the_newest_with_its_rows(service, database_url, tmp_path):
    migrations = SERVICE_APPS[service].MIGRATIONS
    database = _database(service, database_url, tmp_path)
    try:
        await database.migrate(migrations, "0001")
        async with database.engine.begin() as connection:
            written = await connection.run_sync(_a_row_in_every_table)
        assert written, "the first migration made no tables"

        await database.migrate(migrations)

        async with database.engine.connect() as connection:
            for table, row in written.items():
                kept = await connection.run_sync(_read_back, table, row)
                assert kept == _comparable({column: row[column] for column in kept}), table
        await database.check(migrations)
    finally:
        await database.dispose()


def _column_type(table: str, column: sa.Column) -> sa.types.TypeEngine:
    """The type the models give the column today (so values are bound as the service binds them);
    the reflected one for a column the models no longer have."""
    model = SQLModel.metadata.tables.get(table)
    if model is not None and column.name in model.c:
        return model.c[column.name].type
    return column.type


def _sample(type_: sa.types.TypeEngine, n: int):
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    try:
        python_type = type_.python_type
    except NotImplementedError:
        python_type = str
    if python_type is uuid.UUID:
        return uuid.UUID(int=n)
    if python_type is bool:
        return True
    if python_type is int:
        return n
    if python_type is float:
        return n + 0.5
    if python_type is datetime:
        return datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)
    if python_type is date:
        return date(2025, 3, 4)
    if python_type is bytes:
        return b"sealed"
    if python_type in (dict, list):
        return {"kept": n}
    return f"v{n}"


def _a_row_in_every_table(connection) -> dict[str, dict]:
    """One row per table (parents first, foreign keys pointing at the parent's row)."""
    reflected = sa.MetaData()
    reflected.reflect(connection)
    written: dict[str, dict] = {}
    for n, table in enumerate(reflected.sorted_tables, start=1):
        if table.name.startswith("alembic_version"):
            continue
        row = {}
        for column in table.columns:
            parent = next(iter(column.foreign_keys), None)
            if parent is not None and parent.column.table.name in written:
                row[column.name] = written[parent.column.table.name][parent.column.name]
            else:
                row[column.name] = _sample(_column_type(table.name, column), n)
        connection.execute(_typed(table.name, table.columns).insert().values(row))
        written[table.name] = row
    return written


def _typed(name: str, columns) -> sa.TableClause:
    return sa.table(name, *(sa.column(column.name, _column_type(name, column)) for column in columns))


def _read_back(connection, name: str, row: dict) -> dict:
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    kept = [column for column in table.columns if column.name in row]
    typed = _typed(name, kept)
    key = [typed.c[column.name] == row[column.name] for column in table.primary_key.columns]
    found = connection.execute(sa.select(typed).where(*key)).mappings().all()
    assert len(found) == 1, f"{name}: the row written before the upgrade is gone"
    return _comparable(dict(found[0]))


def _comparable(row: dict) -> dict:
    """SQLite gives back naive UTC timestamps where PostgreSQL keeps the zone."""
    return {
        key: value.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(value, datetime) and value.tzinfo else value
        for key, value in row.items()
    }
