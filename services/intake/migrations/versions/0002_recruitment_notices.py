"""recruitment notices: employers and their API keys, notices, idempotency keys, the staff review
queue of possible matches, and the notice's information on a matched client's case

Revision ID: 0002
Revises: 0001
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('employer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('business_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('api_key_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
    sa.Column('updated_at', shared.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('api_key_hash'),
    sa.UniqueConstraint('business_id')
    )
    op.create_table('recruitment_notice',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('given_names', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('family_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('nationality', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('expected_arrival_on', sa.Date(), nullable=False),
    sa.Column('submission', sa.JSON(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('acknowledged_at', shared.db.UtcDateTime(), nullable=True),
    sa.Column('acknowledged_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
    sa.Column('updated_at', shared.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recruitment_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_notice_birth_date'), ['birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_notice_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_notice_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_notice_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_notice_status'), ['status'], unique=False)

    op.create_table('case_employment',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('employer_business_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('employer_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('job_title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('workplace_municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('expected_arrival_on', sa.Date(), nullable=False),
    sa.Column('family_adults', sa.Integer(), nullable=False),
    sa.Column('children_birth_years', sa.JSON(), nullable=False),
    sa.Column('matched_at', shared.db.UtcDateTime(), nullable=False),
    sa.Column('matched_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['client_case.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['recruitment_notice.id'], ),
    sa.PrimaryKeyConstraint('case_id'),
    sa.UniqueConstraint('client_id'),
    sa.UniqueConstraint('notice_id')
    )
    op.create_table('match_review',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('similarity', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
    sa.Column('resolved_at', shared.db.UtcDateTime(), nullable=True),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['recruitment_notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('notice_id', 'client_id')
    )
    with op.batch_alter_table('match_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_review_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_review_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_review_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_review_status'), ['status'], unique=False)

    op.create_table('notice_idempotency_key',
    sa.Column('employer_id', sa.Uuid(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', shared.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employer.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['recruitment_notice.id'], ),
    sa.PrimaryKeyConstraint('employer_id', 'key')
    )


def downgrade() -> None:
    op.drop_table('notice_idempotency_key')
    with op.batch_alter_table('match_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_review_status'))
        batch_op.drop_index(batch_op.f('ix_match_review_notice_id'))
        batch_op.drop_index(batch_op.f('ix_match_review_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_match_review_client_id'))

    op.drop_table('match_review')
    op.drop_table('case_employment')
    with op.batch_alter_table('recruitment_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_notice_status'))
        batch_op.drop_index(batch_op.f('ix_recruitment_notice_municipality_code'))
        batch_op.drop_index(batch_op.f('ix_recruitment_notice_employer_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_notice_client_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_notice_birth_date'))

    op.drop_table('recruitment_notice')
    op.drop_table('employer')
