"""the groups the projects reach on the client (young people are worked out from the birth date),
an unaccompanied minor's guardian or representative, and a staff decision on the groups

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.db import UtcDateTime


revision: str = '0011'
down_revision: Union[str, None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Clients recorded before keep None: their groups were never asked (the figures' `unknown`).
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_groups', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('guardian', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('client_groups_decision', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('client_groups_decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('client_groups_decided_at', UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        for column in ('client_groups_decided_at', 'client_groups_decided_by', 'client_groups_decision', 'guardian', 'client_groups'):
            batch_op.drop_column(column)
