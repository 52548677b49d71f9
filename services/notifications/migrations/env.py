from alembic import context
from sqlmodel import SQLModel

import services.notifications.models  # noqa: F401  (registers the tables, with the sub-packages':)
import services.notifications.client_messages.models  # noqa: F401
import services.notifications.webhooks.models  # noqa: F401
import services.notifications.client_page.models  # noqa: F401
import services.notifications.feedback.models  # noqa: F401
from shared.db import run_migrations_online

TABLES = {
    "case_view", "client_view", "case_change", "notification", "access_log", "outbox", "inbox",
    "webhook_subscription", "webhook_delivery", "client_message",
    "client_link", "welcome_item", "client_self_report", "client_measure", "feedback_request", "feedback_answer",
}

run_migrations_online(context, SQLModel.metadata, TABLES)
