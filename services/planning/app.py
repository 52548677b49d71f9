"""Assembles the planning service: routes, subscriptions, the plan workflow and its activities."""

from __future__ import annotations

from pathlib import Path

from services.planning.activities import PlanningActivities
from services.planning.api import router
from services.planning.county.api import router as county_router
from services.planning.county_staff.api import router as county_staff_router
from services.planning.figures.api import router as figures_router
from services.planning.handlers import subscriptions
from services.planning.servicemap.api import router as service_map_router
from services.planning.workflows import IntegrationPlanWorkflow
from shared.service import ServiceContext, ServiceParts

MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(
        migrations=MIGRATIONS,
        routers=[service_map_router, router, figures_router, county_router, county_staff_router],
        subscriptions=subscriptions(ctx),
        workflows=[IntegrationPlanWorkflow],
        activities=PlanningActivities(ctx).all(),
        sends_workflow_commands=True,
    )
