from alembic import context
from sqlmodel import SQLModel

import services.notifications.models  # noqa: F401  (registers the tables)
from shared.db import run_migrations_online

TABLES = {"case_view", "client_view", "case_change", "notification", "access_log", "outbox", "inbox"}

run_migrations_online(context, SQLModel.metadata, TABLES)
