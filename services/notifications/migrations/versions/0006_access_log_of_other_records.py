"""the access log records reads of other services' records (reviews, notices, assessments, plans):
the kind and id of the record read; a case or client only where the record has one

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('record_kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='case'))
        batch_op.add_column(sa.Column('record_id', sa.Uuid(), nullable=True))
        batch_op.alter_column('case_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.alter_column('client_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(batch_op.f('ix_access_log_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_log_client_id'), ['client_id'], unique=False)
    op.execute("UPDATE access_log SET record_id = case_id")


def downgrade() -> None:
    op.execute("DELETE FROM access_log WHERE case_id IS NULL OR client_id IS NULL")
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_log_client_id'))
        batch_op.drop_index(batch_op.f('ix_access_log_record_id'))
        batch_op.alter_column('client_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column('case_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('record_id')
        batch_op.drop_column('record_kind')
