"""Assembles the intake service: routes, the inbound subscription, the path workflow."""

from __future__ import annotations

from pathlib import Path

from services.intake.activities import IntakeActivities
from services.intake.api import build_notice_router, build_router
from services.intake.assignment.api import router as assignment_router
from services.intake.handlers import InboundHandlers
from services.intake.workflows import ClientPathWorkflow, RecruitmentNoticeWorkflow
from shared.service import ServiceContext, ServiceParts

NAME = "intake"
MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(
        name=NAME,
        migrations=MIGRATIONS,
        routers=[build_router(ctx), build_notice_router(ctx), assignment_router],
        subscriptions=[InboundHandlers(ctx).subscription()],
        workflows=[ClientPathWorkflow, RecruitmentNoticeWorkflow],
        activities=IntakeActivities(ctx).all(),
    )
