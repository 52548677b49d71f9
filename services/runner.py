"""Runs Kotopolku's services: all four in one process, or any one alone, as the same code.

A `Runtime` owns the connections (databases, RabbitMQ, Temporal) and the background work (outbox
relays, AMQP consumers, Temporal workers) of the services it runs; `create_app` puts their HTTP
routes behind one FastAPI application whose lifespan starts and stops the runtime.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time
from contextlib import asynccontextmanager
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Awaitable, Callable

import aio_pika
import structlog
from aio_pika.abc import AbstractRobustConnection
from fastapi import FastAPI
from temporalio.client import Client
from temporalio.worker import Worker

from services.assessment import app as assessment_app
from services.intake import app as intake_app
from services.notifications import app as notifications_app
from services.notifications.api import CaseReads
from services.planning import app as planning_app
from shared import metrics, temporal
from shared.contracts import task_queue
from shared.db import Database
from shared.http import BodySizeLimit, DevelopmentSecretsLocalOnly, health_router, install_error_handlers
from shared.consumer import Consumer
from shared.consumer_lag import run_consumer_lag
from shared.messaging import describe_error, outbox_key, wake_relays
from shared.relays import OutboxRelay
from shared.policy import load_policy
from shared.service import ServiceContext, ServiceParts
from shared.settings import SERVICES, Settings
from shared.workflow_commands import WorkflowCommand, WorkflowCommandRelay
from shared.tracing import TraceRequests
from shared.workflow_commands_api import router as workflow_commands_router

if TYPE_CHECKING:
    from services.worker_process import WorkerProcess

log = structlog.get_logger(__name__)

SERVICE_APPS: dict[str, ModuleType] = {
    "intake": intake_app,
    "assessment": assessment_app,
    "planning": planning_app,
    "notifications": notifications_app,
}
assert tuple(SERVICE_APPS) == SERVICES


# The longest pause before a consumer whose broker went away tries again (seconds).
CONSUMER_MAX_PAUSE = 4.0
# For the background loops to end once cancelled: longer than SQLite's busy timeout (30 s), since a
# loop cancelled while its database call waits for another writer ends when that call does.
STOP_GRACE_SECONDS = 35.0


class StartupError(RuntimeError):
    """A dependency is missing at start-up; the message says which and how to start it."""


class Runtime:
    def __init__(
        self,
        settings: Settings,
        services: list[str] | tuple[str, ...] = SERVICES,
        *,
        consumers: bool = True,
        workers: bool = True,
        connect_timeout: float = 30.0,
    ) -> None:
        self.settings = settings
        self.consumers_enabled = consumers
        self.workers_enabled = workers
        self.connect_timeout = connect_timeout
        policy = load_policy(settings.policy_file)
        self.contexts = {
            name: ServiceContext(
                name, settings, Database(name, settings.service_database_url(name), sqlite_synchronous=settings.sqlite_synchronous), policy
            )
            for name in services
        }
        self.parts: dict[str, ServiceParts] = {name: SERVICE_APPS[name].build(ctx) for name, ctx in self.contexts.items()}
        self.amqp: AbstractRobustConnection | None = None
        self.temporal: Client | None = None
        self._tasks: list[asyncio.Task] = []
        self._workers: list[Worker] = []
        # `kotopolku run`'s workers when they run in a process of their own (set once it is forked).
        self.worker_process: WorkerProcess | None = None
        # Set when a part that must not restart (a Temporal worker) stopped: the process must exit.
        self.failed = asyncio.Event()
        self._stopping = False

    @property
    def workers(self) -> tuple[Worker, ...]:
        """The Temporal workers running in this process (none until started, or where they are forked)."""
        return tuple(self._workers)

    def services_with_workers(self) -> list[str]:
        return [name for name, parts in self.parts.items() if parts.workflows or parts.activities]

    async def migrate(self) -> None:
        for name, ctx in self.contexts.items():
            await ctx.db.migrate(self.parts[name].migrations)

    async def start(self) -> None:
        self._stopping = False
        self.amqp = await self._connect(
            "RabbitMQ",
            lambda: aio_pika.connect_robust(self.settings.amqp_url),
            "start it with `rabbitmq-server -detached` or set KOTOPOLKU_AMQP_URL",
        )
        self.temporal = await self._connect(
            "Temporal",
            lambda: temporal.connect(
                self.settings.temporal_address, self.settings.temporal_namespace, self.settings.data_key_bytes
            ),
            "start it with `temporal server start-dev` (or `kotopolku run`) or set KOTOPOLKU_TEMPORAL_ADDRESS",
        )
        if self.worker_process is not None:
            await self.worker_process.connect()
        consumers: list[Consumer] = []
        for name, ctx in self.contexts.items():
            ctx.temporal = self.temporal
            parts = self.parts[name]
            self._spawn(f"{name} outbox relay", OutboxRelay(ctx.db, self.amqp).run)
            if parts.sends_workflow_commands and self.worker_process is not None and name in self.worker_process.services:
                # Sent from the worker process, where a start is eager (services/worker_process.py).
                key = outbox_key(ctx.db.engine, WorkflowCommand)
                self._spawn(f"{name} workflow commands, to the worker process", partial(self.worker_process.pass_on_commits, name, key))
            elif parts.sends_workflow_commands:
                self._spawn(f"{name} workflow commands", WorkflowCommandRelay(ctx.db, self.temporal).run)
            if self.consumers_enabled:
                for subscription in parts.subscriptions:
                    subscription.retry_delays = self.settings.retry_delays_seconds
                    subscription.max_attempts = len(self.settings.retry_delays_seconds) + 1
                    consumer = Consumer(
                        subscription, ctx.db, self.settings.amqp_url, secret=self.settings.data_key_bytes,
                        lanes=self.settings.consumer_lanes or (1 if ctx.db.is_sqlite else 8), in_flight=self.settings.consumer_in_flight,
                        together=self.settings.consumer_together,
                    )
                    await consumer.declare()  # queues exist before anyone publishes
                    consumers.append(consumer)
                    # A consumer stops only when its broker connection does: it tries again at
                    # least every few seconds, so it resumes soon after the broker is back.
                    self._spawn(f"{name} consumer {subscription.queue}", consumer.run, max_pause=CONSUMER_MAX_PAUSE)
                for task_name, loop in parts.background.items():
                    self._spawn(f"{name} {task_name}", loop)
            if self.workers_enabled and (parts.workflows or parts.activities):
                worker = temporal.build_worker(
                    self.temporal, task_queue(name), parts.workflows, parts.activities,
                    max_cached_workflows=self.settings.worker_max_cached_workflows, sandboxed=self.settings.worker_sandbox,
                )
                self._workers.append(worker)
                self._spawn(f"{name} worker", worker.run, restart=False)
        if consumers:
            self._spawn("consumer lag", lambda: run_consumer_lag(self.amqp, consumers))
        if self.worker_process is not None:
            self._spawn("worker process", self.worker_process.wait_until_ended, restart=False)
        log.info("services started", services=list(self.contexts), consumers=self.consumers_enabled, workers=self.workers_enabled)

    async def stop(self) -> list[str]:
        """Stops the workers, the background loops, the connections; says which loops did not stop."""
        for worker in self._workers:
            try:
                await asyncio.wait_for(worker.shutdown(), timeout=10)
            except Exception:  # shutting down anyway
                pass
        self._stopping = True
        # A loop that does not stop within the grace time is named in the log and left behind:
        # shutting down must end, so that a supervisor can start the process again.
        unstopped = []
        if self._tasks:
            still_running = await _cancel_all(self._tasks, STOP_GRACE_SECONDS)
            unstopped = sorted(task.get_name() for task in still_running)
            for name in unstopped:
                log.error("background task did not stop", task=name)
        self._tasks.clear()
        self._workers.clear()
        if self.worker_process is not None:
            await self.worker_process.stop()
        if self.amqp is not None:
            await self.amqp.close()
        for ctx in self.contexts.values():
            await ctx.db.dispose()
        return unstopped

    def wake_workflow_commands(self, service: str) -> None:
        """Another process committed workflow commands of `service`: its relay here sends them now."""
        if service in self.contexts:
            wake_relays({outbox_key(self.contexts[service].db.engine, WorkflowCommand)})

    async def metrics_exposition(self) -> bytes:
        """The exposition at `/metrics`: this process's metrics and its worker process's."""
        others = None
        if self.worker_process is not None and (workers := await self.worker_process.metrics()) is not None:
            others = {"workers": workers}
        return metrics.exposition(others)

    def readiness_checks(self) -> dict:
        checks = {f"database:{name}": ctx.db.ping for name, ctx in self.contexts.items()}

        async def rabbitmq() -> None:
            if self.amqp is None or self.amqp.is_closed:
                raise ConnectionError("not connected")
            channel = await self.amqp.channel()
            await channel.close()

        async def temporal_server() -> None:
            if self.temporal is None:
                raise ConnectionError("not connected")
            await asyncio.wait_for(self.temporal.service_client.check_health(), timeout=3)

        checks["rabbitmq"] = rabbitmq
        checks["temporal"] = temporal_server
        if self.worker_process is not None:
            checks["worker process"] = self.worker_process.check
        return checks

    def _spawn(self, name: str, run, *, restart: bool = True, max_pause: float = 30.0) -> None:
        """Run in the background; a loop that stops on an error starts again after a pause (growing
        up to `max_pause`)."""

        async def supervise() -> None:
            failures = 0
            while True:
                started = time.monotonic()
                try:
                    await run()
                    return
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    if self._stopping:
                        return  # a cancellation a library turned into an error: stopping, not failing
                    failures += 1
                    log.error("background task failed", task=name, error=describe_error(error), restart=restart)
                    if not restart:
                        self.failed.set()  # the process ends (logged above; nothing awaits this task)
                        return
                    if time.monotonic() - started > 60:
                        failures = 1  # it ran well for a while: this is a new failure, not the same one again
                    await asyncio.sleep(min(max_pause, 0.5 * 2.0**failures))

        self._tasks.append(asyncio.create_task(supervise(), name=name))

    async def _connect(self, what: str, connect, how: str):
        deadline = time.monotonic() + self.connect_timeout
        while True:
            try:
                return await connect()
            except Exception as error:
                if time.monotonic() > deadline:
                    raise StartupError(f"{what} is not reachable ({error}); {how}") from None
                log.warning(f"waiting for {what}", error=str(error))
                await asyncio.sleep(1)


async def _cancel_all(tasks: list[asyncio.Task], grace: float) -> set[asyncio.Task]:
    """Cancels the tasks and waits up to `grace` seconds; says which still run. A task is cancelled
    again every second: a library may swallow one cancellation (Python 3.11's `wait_for` does when
    its inner call finishes at the same moment), and the loop around it would otherwise go on."""
    deadline = time.monotonic() + grace
    still_running = {task for task in tasks if not task.done()}
    while still_running and time.monotonic() < deadline:
        for task in still_running:
            task.cancel()
        _, still_running = await asyncio.wait(still_running, timeout=min(1.0, max(0.0, deadline - time.monotonic())))
    return still_running


async def _stop_on_failure(runtime: Runtime) -> None:
    """A worker that stopped for good takes the process down (non-zero), so that a supervisor
    (systemd, Kubernetes) restarts it instead of it running on without workflows."""
    await runtime.failed.wait()
    log.error("a Temporal worker stopped; shutting down")
    os.kill(os.getpid(), signal.SIGTERM)


def settle_memory() -> None:
    """Once a process has started: what it has loaded by now (modules, models, routes, the
    workers) lives as long as the process, so the garbage collector stops looking at it. Its full
    collections, which stop every request and workflow while they run, then scan only what came
    later: in `make benchmark` they took 250–330 ms before, 117–135 ms after (docs/benchmarks.md).
    For a process's entry point only: a test process that runs many runtimes would keep every
    runtime's leftovers for good."""
    gc.collect()
    gc.freeze()


async def run_until_stopped(
    runtime: Runtime, *, stop_signals=(signal.SIGINT, signal.SIGTERM), parent: Callable[[asyncio.Event], Awaitable[None]] | None = None,
) -> None:
    """Runs the runtime (without HTTP) until one of `stop_signals` comes or, given `parent` (what
    listens to the process that forked this one, services/worker_process.py), until it sets the
    stop event it is given; raises StartupError when a Temporal worker stopped for good."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in stop_signals:
        loop.add_signal_handler(signum, stop.set)
    listening = asyncio.create_task(parent(stop)) if parent is not None else None
    await runtime.start()
    settle_memory()
    try:
        failed = asyncio.create_task(runtime.failed.wait())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait([failed, stopped], return_when=asyncio.FIRST_COMPLETED)
    finally:
        await runtime.stop()
        if listening is not None:
            listening.cancel()
    if runtime.failed.is_set():
        raise StartupError("the Temporal worker stopped (see the log above)")


def create_app(runtime: Runtime, on_started: Callable[[], None] | None = None, *, api_routes: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        await runtime.start()
        if on_started is not None:
            on_started()
        watcher = asyncio.create_task(_stop_on_failure(runtime))
        try:
            yield
        finally:
            watcher.cancel()
            await runtime.stop()

    names = ", ".join(runtime.contexts)
    app = FastAPI(
        title="Kotopolku",
        version="1.0",
        description=f"Integration services coordination — running: {names}",
        lifespan=lifespan,
        # FastAPI's own spans record the query string (a name search's name): Kotopolku's request
        # span (shared/tracing.py) records the route's template only.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = runtime.settings
    app.state.contexts = runtime.contexts  # routes reach their service's context through it
    app.state.workflow_command_services = [name for name, parts in runtime.parts.items() if parts.sends_workflow_commands]
    if api_routes and "notifications" in runtime.contexts:
        app.state.case_reads = CaseReads(runtime.contexts["notifications"])  # shared/cases.py reads cases directly
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, limit=runtime.settings.max_request_bytes)
    app.add_middleware(DevelopmentSecretsLocalOnly, active=runtime.settings.uses_development_secrets)
    app.add_middleware(TraceRequests)  # outermost: the request's span covers the whole answer
    app.include_router(health_router(runtime.readiness_checks, runtime.metrics_exposition))
    if api_routes:  # a worker process serves only its health and metrics
        for parts in runtime.parts.values():
            for router in parts.routers:
                app.include_router(router)
        app.include_router(workflow_commands_router)


        if {"intake", "assessment", "planning"} <= set(runtime.contexts):  # the hand-over needs all three's parts
            from services.export import router as export_router

            app.include_router(export_router)
    return app
