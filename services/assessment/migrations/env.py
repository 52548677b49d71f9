from alembic import context
from sqlmodel import SQLModel

import services.assessment.models  # noqa: F401  (registers the tables)
import shared.messaging  # noqa: F401  (outbox and inbox)
import shared.koto_aj  # noqa: F401  (the hand-over's ledger)
from shared.db import run_migrations_online

TABLES = {"outbox", "inbox", "assessment", "assessment_correction", "koto_aj_handover"}

run_migrations_online(context, SQLModel.metadata, TABLES)
