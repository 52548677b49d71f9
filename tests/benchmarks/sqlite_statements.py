"""What a SQLite statement costs in CPU time through SQLAlchemy, with aiosqlite's own adapter and
with Kotopolku's driver (shared/sqlite_driver.py: one trip to the connection's thread a statement).

    .venv/bin/python tests/benchmarks/sqlite_statements.py [--rounds 3] [--count 300]

Each unit of work is what the services do most: a row read by its key, fifty rows read, a row read
and changed, a row added, a raw statement on a connection; each in its own session or connection
from the pool, as a request or an event handler has it. The drivers take turns, round by round, on
the same file, so that the machine's drift falls on both.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from shared import sqlite_driver  # noqa: E402  (registers sqlite+kotopolku)
from shared.db import RollingBackConnection, _sqlite_pragmas  # noqa: E402

DRIVERS = {"aiosqlite's adapter": "sqlite+aiosqlite", "Kotopolku's driver": sqlite_driver.DRIVERNAME}


class BenchmarkRow(SQLModel, table=True):
    __tablename__ = "benchmark_row"
    id: uuid.UUID = Field(primary_key=True)
    name: str
    n: int = 0


async def per_unit_ms(drivername: str, path: Path, count: int) -> dict[str, float]:
    engine = create_async_engine(f"{drivername}:///{path}", connect_args={"timeout": 30, "factory": RollingBackConnection})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)  # WAL and synchronous=FULL, as the services have it
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    async with sessions() as session:
        first = (await session.exec(select(BenchmarkRow).limit(1))).one()

    async def read_by_key() -> None:
        async with sessions() as session:
            await session.get(BenchmarkRow, first.id)

    async def read_fifty() -> None:
        async with sessions() as session:
            assert len((await session.exec(select(BenchmarkRow).limit(50))).all()) == 50

    async def read_and_change() -> None:
        async with sessions() as session:
            row = await session.get(BenchmarkRow, first.id)
            row.n += 1
            session.add(row)
            await session.commit()

    async def add_row() -> None:
        async with sessions() as session:
            session.add(BenchmarkRow(id=uuid.uuid4(), name="Aino"))
            await session.commit()

    async def raw_statement() -> None:
        async with engine.connect() as connection:
            (await connection.exec_driver_sql("SELECT id, name, n FROM benchmark_row WHERE id = ?", (first.id.hex,))).first()

    figures = {}
    for unit in (read_by_key, read_fifty, read_and_change, add_row, raw_statement):
        for _ in range(20):  # the statement compiled and cached, the pool's connection open
            await unit()
        started = time.process_time()
        for _ in range(count):
            await unit()
        figures[unit.__name__] = 1000 * (time.process_time() - started) / count
    await engine.dispose()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--count", type=int, default=300, help="units of work per figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "benchmark.db"
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: BenchmarkRow.__table__.create(sync))
            await connection.execute(
                BenchmarkRow.__table__.insert(), [{"id": uuid.uuid4(), "name": "Aino", "n": 0} for _ in range(300)]
            )
            await connection.execute(text("PRAGMA journal_mode=WAL"))
        await engine.dispose()
        results: dict[str, list[dict[str, float]]] = {name: [] for name in DRIVERS}
        for _ in range(args.rounds):
            for name, drivername in DRIVERS.items():
                results[name].append(await per_unit_ms(drivername, path, args.count))
    units = list(results[next(iter(DRIVERS))][0])
    print(f"CPU time per unit of work, ms ({args.rounds} rounds, lowest and highest)")
    print(f"{'unit':<18}" + "".join(f"{name:>24}" for name in DRIVERS))
    for unit in units:
        cells = [f"{min(r[unit] for r in rounds):.2f}–{max(r[unit] for r in rounds):.2f}" for rounds in results.values()]
        print(f"{unit:<18}" + "".join(f"{cell:>24}" for cell in cells))


if __name__ == "__main__":
    asyncio.run(main())
