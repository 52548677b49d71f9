"""the service map (palvelukartta)

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "service_map_entry",
        sa.Column("service_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("municipality_codes", sa.JSON(), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("delivery", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("client_groups", sa.JSON(), nullable=False),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("example", sa.Boolean(), nullable=False),
        sa.Column("updated_at", shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("service_code"),
    )
    with op.batch_alter_table("service_map_entry", schema=None) as batch_op:
        batch_op.create_index("ix_service_map_entry_region", ["region"], unique=False)
        batch_op.create_index("ix_service_map_entry_kind", ["kind"], unique=False)


def downgrade() -> None:
    op.drop_table("service_map_entry")
