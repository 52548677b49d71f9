"""the client's groups the projects reach, an unaccompanied minor's guardian or representative, and
the registration's household on the client view (client.recorded)

Revision ID: 0012
Revises: 0011
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Clients recorded before keep None until their next client.recorded.
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_groups', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('guardian', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('household_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_client_view_household_id'), ['household_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_client_view_household_id'))
        for column in ('household_id', 'guardian', 'client_groups'):
            batch_op.drop_column(column)
