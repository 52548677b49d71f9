"""relays claim their rows with a lease and keep each subject's order; workflow commands given up for an admin

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Relays claim rows with a lease; a subject's events leave in order (rows written before keep
    # the key "" and so the order of the whole outbox, as they had).
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ordering_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('workflow_command', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('given_up_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_workflow_command_given_up_at', ['given_up_at'], unique=False)
    # Commands left behind after 20 refusals were never sent again and seen by nobody: now they
    # are given up, for an admin to see and replay.
    op.execute("UPDATE workflow_command SET given_up_at = created_at WHERE sent_at IS NULL AND attempts >= 20")


def downgrade() -> None:
    with op.batch_alter_table('workflow_command', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_command_given_up_at')
        batch_op.drop_column('given_up_at')
        batch_op.drop_column('claimed_until')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('ordering_key')
