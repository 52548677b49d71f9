"""integration plans; workflow signals sent after the commit

Revision ID: 0003
Revises: 0002
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "integration_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("plan_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("end_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("updated_at", shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("integration_plan", schema=None) as batch_op:
        batch_op.create_index("ix_integration_plan_case_id", ["case_id"], unique=True)
        batch_op.create_index("ix_integration_plan_client_id", ["client_id"], unique=False)
        batch_op.create_index("ix_integration_plan_municipality_code", ["municipality_code"], unique=False)
    op.create_table(
        "workflow_command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("workflow_id", sa.String(), nullable=False),
        sa.Column("workflow_type", sa.String(), nullable=True),
        sa.Column("task_queue", sa.String(), nullable=True),
        sa.Column("signal", sa.String(), nullable=True),
        sa.Column("arg", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("workflow_command") as batch_op:
        batch_op.create_index("ix_workflow_command_workflow_id", ["workflow_id"], unique=False)
        batch_op.create_index("ix_workflow_command_sent_at", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_table("workflow_command")
    op.drop_table("integration_plan")
