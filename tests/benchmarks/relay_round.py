"""What an outbox relay's round costs in CPU time, and how long SQLite writers of one process wait
for each other with and without their turns (shared/sqlite_driver.py).

    .venv/bin/python tests/benchmarks/relay_round.py [--count 300]

- **A relay round**: three events written in one transaction (as intake writes a staff command's
  `case.updated`, `case.changed` and domain event), then one round of intake's `OutboxRelay`:
  claim, publish to the local RabbitMQ with confirms, mark. CPU time of the process (all threads)
  per round, and per step: the backlog count, the claim (with its count), the publishes, the mark.
- **Writers at once**: 5 tasks, each writing 60 transactions of two outbox rows with a pause on the
  event loop between the rows (as a handler's work between its writes): each transaction's time,
  p50 and p99, with the writers taking turns and with SQLite's busy handler alone.
Needs RabbitMQ (`amqp://guest:guest@127.0.0.1:5672/`, or KOTOPOLKU_TEST_AMQP_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aio_pika

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from measuring import percentile  # noqa: E402
from services.intake.app import MIGRATIONS  # noqa: E402
from shared import sqlite_driver  # noqa: E402
from shared.contracts import EVENTS_EXCHANGE, INTERNAL_EXCHANGE  # noqa: E402
from shared.db import Database  # noqa: E402
from shared.messaging import declare_exchanges, publish  # noqa: E402
from shared.relays import OutboxRelay  # noqa: E402

EVENTS = (("case.updated", EVENTS_EXCHANGE), ("case.changed", INTERNAL_EXCHANGE), ("assessment.started", EVENTS_EXCHANGE))


async def intake_database() -> Database:
    database = Database("intake", f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='kotopolku-relay-')) / 'intake.db'}")
    await database.migrate(MIGRATIONS)
    return database


async def write_events(database: Database, n: int) -> None:
    async with database.session() as session:
        for kind, exchange in EVENTS:
            publish(session, type=f"fi.kotopolku.benchmark.{kind}.v1", source="urn:kotopolku:benchmark", data={"n": n},
                    exchange=exchange, subject=f"case-{n}")
        await session.commit()


async def relay_rounds(amqp_url: str, count: int) -> dict[str, float]:
    database = await intake_database()
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)  # no queue is bound: nothing is kept
        await declare_exchanges(channel)
        relay = OutboxRelay(database, connection)
        spent = {"a round": 0.0, "backlog count": 0.0, "claim (with the count)": 0.0, "publish 3": 0.0, "mark": 0.0}
        for n in range(count + 20):  # the first 20 warm the caches
            await write_events(database, n)
            began = time.process_time()
            async with database.session() as reading:
                await relay.measure_backlog(reading)
            counted = time.process_time()
            claimed = await relay.claim()
            leased = time.process_time()
            for row in claimed:
                exchange = await channel.get_exchange(row.exchange, ensure=False)
                await exchange.publish(aio_pika.Message(row.body, message_id=row.event_id, type=row.event_type), routing_key=row.routing_key)
            published = time.process_time()
            await relay.mark(claimed, claimed)
            marked = time.process_time()
            if n >= 20:
                for step, took in (("backlog count", counted - began), ("claim (with the count)", leased - counted),
                                   ("publish 3", published - leased), ("mark", marked - published), ("a round", marked - counted)):
                    spent[step] += took
        return {step: round(total / count * 1000, 2) for step, total in spent.items()}
    finally:
        await connection.close()
        await database.dispose()


async def writers_at_once(turns: bool, writers: int = 5, each: int = 60) -> dict[str, float]:
    database = await intake_database()
    begins_writing = sqlite_driver.begins_writing
    if not turns:  # the driver told that no statement begins a write: SQLite's busy handler alone
        sqlite_driver.begins_writing = lambda _operation: False
    took: list[float] = []

    async def writer(k: int) -> None:
        for n in range(each):
            began = time.perf_counter()
            async with database.session() as session:
                publish(session, type="fi.kotopolku.benchmark.v1", source="urn:kotopolku:benchmark", data={"n": n},
                        exchange=EVENTS_EXCHANGE, subject=f"w{k}")
                await session.flush()
                await asyncio.sleep(0.0005)
                publish(session, type="fi.kotopolku.benchmark.v1", source="urn:kotopolku:benchmark", data={"n": n},
                        exchange=EVENTS_EXCHANGE, subject=f"w{k}")
                await session.commit()
            took.append((time.perf_counter() - began) * 1000)

    try:
        began = time.perf_counter()
        await asyncio.gather(*(writer(k) for k in range(writers)))
        elapsed = time.perf_counter() - began
    finally:
        sqlite_driver.begins_writing = begins_writing
        await database.dispose()
    took.sort()
    return {"p50_ms": round(percentile(took, 0.5), 1), "p99_ms": round(percentile(took, 0.99), 1),
            "max_ms": round(max(took), 1), "transactions_per_second": round(len(took) / elapsed)}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="relay rounds")
    parser.add_argument("--amqp-url", default=os.environ.get("KOTOPOLKU_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()
    print("A relay round of three events, CPU ms:", await relay_rounds(args.amqp_url, args.count))
    for turns in (True, False, True, False):
        label = "taking turns" if turns else "SQLite's busy handler alone"
        print(f"5 writers at once, {label}:", await writers_at_once(turns))


if __name__ == "__main__":
    asyncio.run(main())
