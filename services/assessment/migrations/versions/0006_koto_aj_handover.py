"""what of the assessments has been handed over to Koto-AJ

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

import shared.db


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The ledger of the Koto-AJ hand-over (shared/koto_aj.py): the version of each record last handed over.
    op.create_table(
        'koto_aj_handover',
        sa.Column('record_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('record_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('export_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('exported_at', shared.db.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('record_key'),
    )


def downgrade() -> None:
    op.drop_table('koto_aj_handover')
