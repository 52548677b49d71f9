"""Assembles the assessment service: routes (its commands and its figures), subscriptions, the assessment workflow and its activities."""

from __future__ import annotations

from pathlib import Path

from services.assessment.activities import AssessmentActivities
from services.assessment.api import router
from services.assessment.county.api import router as county_router
from services.assessment.figures.api import router as figures_router
from services.assessment.handlers import subscriptions
from services.assessment.workflows import AssessmentWorkflow
from shared.service import ServiceContext, ServiceParts

MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(
        migrations=MIGRATIONS,
        routers=[router, figures_router, county_router],
        subscriptions=subscriptions(ctx),
        workflows=[AssessmentWorkflow],
        activities=AssessmentActivities(ctx).all(),
        sends_workflow_commands=True,  # a policy change's signals (policy.py)
    )
