"""What a service is made of, so the command line can run any of them alone or all together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from fastapi import APIRouter, Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from shared.db import Database
from shared.subscription import Subscription
from shared.policy import PolicyBook
from shared.settings import Settings


@dataclass
class ServiceContext:
    """Everything a service's code reaches for: its database, Temporal, settings, policy."""

    name: str
    settings: Settings
    db: Database
    policy: PolicyBook
    temporal: Client | None = None  # connected by the runner before anything runs
    # What a service keeps for its routes and handlers to share (e.g. notifications' live feed).
    resources: dict[str, Any] = field(default_factory=dict)

    def require_temporal(self) -> Client:
        if self.temporal is None:
            raise RuntimeError("Temporal is not connected")
        return self.temporal


@dataclass
class ServiceParts:
    """A service assembled: HTTP routes, AMQP subscriptions, Temporal workflows and activities.
    (Its name is its context's: the runner keys both by it.)"""

    migrations: Path
    routers: list[APIRouter] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    workflows: list[type] = field(default_factory=list)
    activities: list[Callable] = field(default_factory=list)
    # Its database has a workflow_command table: a relay sends its committed starts and signals.
    sends_workflow_commands: bool = False
    # Loops that run beside the consumers (e.g. delivering e-mail), restarted if they fail.
    background: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)


# --- what a service's routes reach for, as FastAPI dependencies ---------------------------------


def context_dependency(name: str) -> Callable[[Request], ServiceContext]:
    """The dependency that gives a route its service's context. The runner keeps every running
    service's context on `app.state.contexts` (see services.runner.create_app)."""

    def service_context(request: Request) -> ServiceContext:
        return request.app.state.contexts[name]

    return service_context


def session_dependency(name: str) -> Callable[..., AsyncIterator[AsyncSession]]:
    """The dependency that gives a route a session of its service's database, closed after the
    request (a route that writes commits it itself)."""

    async def database_session(ctx: ServiceContext = Depends(context_dependency(name))) -> AsyncIterator[AsyncSession]:
        async with ctx.db.session() as session:
            yield session

    return database_session
