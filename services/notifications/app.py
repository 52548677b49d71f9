"""Assembles the notifications service: the case feed API, the dashboard, its subscriptions."""

from __future__ import annotations

from pathlib import Path

from services.notifications.api import build_router
from services.notifications.dashboard import build_dashboard
from services.notifications.handlers import NotificationHandlers
from services.notifications.mail import MailDelivery
from services.notifications.service import CaseFeed
from shared.service import ServiceContext, ServiceParts

NAME = "notifications"
MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    feed = CaseFeed()
    return ServiceParts(
        name=NAME,
        migrations=MIGRATIONS,
        routers=[build_router(ctx, feed), build_dashboard(ctx)],
        subscriptions=NotificationHandlers(feed).subscriptions(),
        background={"e-mail delivery": MailDelivery(ctx.db, ctx.settings).run},
    )
