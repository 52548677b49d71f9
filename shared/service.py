"""What a service is made of, so the command line can run any of them alone or all together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

from fastapi import APIRouter, Request
from temporalio.client import Client

from shared.db import Database
from shared.messaging import Subscription
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

    def require_temporal(self) -> Client:
        if self.temporal is None:
            raise RuntimeError("Temporal is not connected")
        return self.temporal


@dataclass
class ServiceParts:
    """A service assembled: HTTP routes, AMQP subscriptions, Temporal workflows and activities."""

    name: str
    migrations: Path
    routers: list[APIRouter] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    workflows: list[type] = field(default_factory=list)
    activities: list[Callable] = field(default_factory=list)
    # Loops that run beside the consumers (e.g. delivering e-mail), restarted if they fail.
    background: dict[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)


def context_of(service: str):
    """A route's dependency on its service's context (module-level routes take what they need as
    dependencies): the context of `service` in the application that runs it."""
    def dependency(request: Request) -> ServiceContext:
        return request.app.state.contexts[service]

    return dependency
