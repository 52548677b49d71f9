"""the client's own page: its links (client_link) the municipalities' welcome packages (welcome_item) and the clients' self-reports (client_self_report)

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
    op.create_table(
        'client_link',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('code_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('link_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('code_channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('expires_at', UtcDateTime(), nullable=False),
        sa.Column('revoked_at', UtcDateTime(), nullable=True),
        sa.Column('revoked_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('failed_codes', sa.Integer(), nullable=False),
        sa.Column('locked_at', UtcDateTime(), nullable=True),
        sa.Column('session_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('client_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_link_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_link_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_link_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_link_session_hash'), ['session_hash'], unique=False)
    op.create_table(
        'welcome_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('section', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('welcome_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_welcome_item_municipality_code'), ['municipality_code'], unique=False)
    op.create_table(
        'client_self_report',
        sa.Column('case_id', sa.Uuid(), nullable=False),
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('languages', sa.JSON(), nullable=False),
        sa.Column('education', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('work_history', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('goals', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('help_wanted', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('submitted_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('case_id'),
    )
    with op.batch_alter_table('client_self_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_self_report_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_self_report_municipality_code'), ['municipality_code'], unique=False)


def downgrade() -> None:
    op.drop_table('client_self_report')
    op.drop_table('welcome_item')
    op.drop_table('client_link')
