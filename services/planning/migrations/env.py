from alembic import context
from sqlmodel import SQLModel

import services.planning.models  # noqa: F401  (registers the tables, with the service map's:)
import services.planning.servicemap.models  # noqa: F401
import services.planning.county_staff.models  # noqa: F401  (the county staff lists)
import shared.messaging  # noqa: F401  (outbox and inbox)
import shared.staff_commands  # noqa: F401  (Idempotency-Keys of staff commands)
import shared.workflow_commands  # noqa: F401
import shared.koto_aj  # noqa: F401  (the hand-over's ledger)
from shared.db import run_migrations_online

TABLES = {"plan_figure_target", "service_report", "integration_plan", "service_map_entry", "outbox", "inbox", "workflow_command", "staff_command_key", "koto_aj_handover"}

run_migrations_online(context, SQLModel.metadata, TABLES)
