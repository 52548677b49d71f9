"""who is owed an assessment: the client's target group and the staff decision on it; a staff
decision on who leads; what of
the clients and closures has been handed over to Koto-AJ

Revision ID: 0010
Revises: 0009
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from shared.db import UtcDateTime


revision: str = '0010'
down_revision: Union[str, None] = '0009'
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
        batch_op.add_column(sa.Column('lead_decision', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('lead_decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('lead_decided_at', UtcDateTime(), nullable=True))
    # The ledger of the Koto-AJ hand-over (shared/koto_aj.py): the version of each record last handed over.
    op.create_table(
        'koto_aj_handover',
        sa.Column('record_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('record_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('export_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('exported_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('record_key'),
    )


def downgrade() -> None:
    op.drop_table('koto_aj_handover')
    with op.batch_alter_table('client', schema=None) as batch_op:
        for column in ('lead_decided_at', 'lead_decided_by', 'lead_decision', 'target_group_decided_at', 'target_group_decided_by', 'target_group_decision', 'admission_reason', 'target_group'):
            batch_op.drop_column(column)
