"""Assembles the notifications service: the case feed API, the dashboard, its subscriptions."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from services.notifications import service
from services.notifications.api import router
from services.notifications.client_messages import handlers as client_messages
from services.notifications.client_messages.api import router as client_messages_router
from services.notifications.client_messages.delivery import ClientMessageDelivery
from services.notifications.client_page import measures as client_page_measures
from services.notifications.client_page.api import router as client_page_router
from services.notifications.feedback.api import router as feedback_router
from services.notifications.dashboard import build_dashboard
from services.notifications.handlers import subscriptions
from services.notifications.mail import MailDelivery
from services.notifications.webhooks import api as webhooks_api, handlers as webhooks_handlers
from services.notifications.webhooks.delivery import WebhookDeliveryLoop, wakeup
from shared.service import ServiceContext, ServiceParts

MIGRATIONS = Path(__file__).with_name("migrations")


def build(ctx: ServiceContext) -> ServiceParts:
    return ServiceParts(
        migrations=MIGRATIONS,
        routers=[router, webhooks_api.router, client_messages_router, client_page_router, feedback_router, build_dashboard(ctx)],
        subscriptions=subscriptions(ctx) + webhooks_handlers.subscriptions(ctx) + client_messages.subscriptions(ctx)
        + client_page_measures.subscriptions(ctx),
        background={
            "e-mail delivery": MailDelivery(ctx.db, ctx.settings).run,
            "webhook delivery": WebhookDeliveryLoop(ctx.db, ctx.settings, wakeup(ctx), webhooks_api.webhook_settings(ctx)).run,
            "client messages": ClientMessageDelivery(ctx.db, ctx.settings, client_messages.waiting(ctx)).run,
            "overdue cases gauge": partial(service.measure_overdue, ctx.db),
        },
    )
