"""who is owed an assessment: the client's target group and the staff decision on it

Revision ID: 0009
Revises: 0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.db import UtcDateTime


revision: str = '0009'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Clients recorded before keep None: their paths run as they started.
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_group', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('admission_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('target_group_decision', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('target_group_decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('target_group_decided_at', UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        for column in ('target_group_decided_at', 'target_group_decided_by', 'target_group_decision', 'admission_reason', 'target_group'):
            batch_op.drop_column(column)
