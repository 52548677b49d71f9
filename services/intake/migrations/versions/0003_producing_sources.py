"""producing systems registry; first permit date may be unknown

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
        "producing_source",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("municipalities", sa.JSON(), nullable=False),
        sa.Column("created_at", shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.alter_column("first_permit_or_registration_on", existing_type=sa.Date(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("client", schema=None) as batch_op:
        batch_op.alter_column("first_permit_or_registration_on", existing_type=sa.Date(), nullable=False)
    op.drop_table("producing_source")
