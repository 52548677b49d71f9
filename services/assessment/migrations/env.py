from alembic import context
from sqlmodel import SQLModel

import services.assessment.models  # noqa: F401  (registers the tables)
import shared.messaging  # noqa: F401  (outbox and inbox)
from shared.db import run_migrations_online

TABLES = {"assessment_figure_target", "outbox", "inbox", "assessment", "assessment_correction"}

run_migrations_online(context, SQLModel.metadata, TABLES)
