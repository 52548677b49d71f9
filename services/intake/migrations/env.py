from alembic import context
from sqlmodel import SQLModel

import services.intake.models  # noqa: F401  (registers the tables, with those of the sub-packages:)
import services.intake.duplicates.models  # noqa: F401
import services.intake.notices.matching.models  # noqa: F401
import services.intake.sources.models  # noqa: F401
import shared.workflow_commands  # noqa: F401
import shared.staff_commands  # noqa: F401  (Idempotency-Keys of staff commands)


import shared.koto_aj  # noqa: F401  (the hand-over's ledger)
from shared.db import run_migrations_online

TABLES = {
    "client", "client_case", "producing_source", "duplicate_review", "outbox", "inbox", "workflow_command", "staff_command_key",
    # recruitment notices
    "employer", "recruitment_notice", "notice_idempotency_key", "match_review", "case_employment",
    "koto_aj_handover",  # shared/koto_aj.py
}

run_migrations_online(context, SQLModel.metadata, TABLES)
