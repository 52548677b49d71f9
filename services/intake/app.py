"""Assembles the intake service: routes, the inbound subscription, the workflows and activities."""

from __future__ import annotations

from pathlib import Path

from services.intake.activities import IntakeActivities
from services.intake.api import ROUTERS
from services.intake.assignment.api import router as assignment_router
from services.intake.closure.api import router as closure_router
from services.intake.figures.api import router as figures_router
from services.intake.handlers import subscriptions
from services.intake.handover import handlers as handover_handlers
from services.intake.notices.activities import NoticeActivities
from services.intake.notices.workflows import RecruitmentNoticeWorkflow
from services.intake.triage.activities import TriageActivities
from services.intake.triage.workflows import TriageDeadlineWorkflow
from services.intake.workflows import ClientPathWorkflow
from shared.service import ServiceContext, ServiceParts

MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(
        migrations=MIGRATIONS,
        routers=[*ROUTERS, assignment_router, closure_router, figures_router],
        subscriptions=subscriptions(ctx) + handover_handlers.subscriptions(ctx),
        workflows=[ClientPathWorkflow, RecruitmentNoticeWorkflow, TriageDeadlineWorkflow],
        activities=IntakeActivities(ctx).all() + NoticeActivities(ctx).all() + TriageActivities(ctx).all(),
        sends_workflow_commands=True,
    )
