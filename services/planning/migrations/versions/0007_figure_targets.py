"""coordinators' targets for the figures

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "plan_figure_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("figure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("set_by_sub", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("set_at", shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_code", "figure", "period_from", "period_to", name="uq_plan_figure_target"),
    )
    with op.batch_alter_table("plan_figure_target", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_figure_target_municipality_code"), ["municipality_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("plan_figure_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_figure_target_municipality_code"))
    op.drop_table("plan_figure_target")
