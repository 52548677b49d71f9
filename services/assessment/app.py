"""Assembles the assessment service."""

from __future__ import annotations

from pathlib import Path

from services.assessment.api import router
from services.assessment.handlers import subscriptions
from shared.service import ServiceContext, ServiceParts

NAME = "assessment"
MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(name=NAME, migrations=MIGRATIONS, routers=[router], subscriptions=subscriptions(ctx))
