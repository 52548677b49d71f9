"""the wellbeing services counties' staff lists: a multi-sectoral plan's participant is chosen from them

Revision ID: 0009
Revises: 0008
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db


revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'county_staff_member',
        sa.Column('county', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('sub', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('updated_at', shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('county', 'sub'),
    )


def downgrade() -> None:
    op.drop_table('county_staff_member')
