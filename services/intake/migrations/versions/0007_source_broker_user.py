"""the broker user each producing system publishes as

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Systems registered before keep publishing as the default broker login until an operator
    # gives each its own user (kotopolku sources add <urn> --municipality … --broker-user NAME).
    with op.batch_alter_table('producing_source', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('broker_user', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='guest')
        )


def downgrade() -> None:
    with op.batch_alter_table('producing_source', schema=None) as batch_op:
        batch_op.drop_column('broker_user')
