"""messages to clients (client_message) and the client's contact and refused channels on client_view

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
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('refused_channels', sa.JSON(), nullable=False, server_default='[]'))
    op.create_table(
        'client_message',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
        sa.Column('to', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('next_attempt_at', UtcDateTime(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('sent_at', UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('client_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_message_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_message_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_message_state'), ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('client_message')
    with op.batch_alter_table('client_view', schema=None) as batch_op:
        batch_op.drop_column('refused_channels')
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
