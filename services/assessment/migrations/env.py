from alembic import context
from sqlmodel import SQLModel

import services.assessment.models  # noqa: F401  (registers the tables)
import shared.messaging  # noqa: F401  (outbox and inbox)
import shared.staff_commands  # noqa: F401  (Idempotency-Keys of staff commands)
import shared.koto_aj  # noqa: F401  (the hand-over's ledger)
import shared.workflow_commands  # noqa: F401  (a policy change's signals to running assessments)
from shared.db import run_migrations_online

TABLES = {"assessment_figure_target", "outbox", "inbox", "assessment", "assessment_correction", "staff_command_key", "koto_aj_handover",
          "policy_version", "workflow_command"}

run_migrations_online(context, SQLModel.metadata, TABLES)
