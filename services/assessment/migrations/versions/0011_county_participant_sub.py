"""the wellbeing services county's participant of an assessment, chosen from the county's staff list

Revision ID: 0011
Revises: 0010
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = "0011"
down_revision: Union[str, None] = "0010"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The staff member's `sub` (the planning service's county staff list); empty where typed before.
    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column('wellbeing_county_participant_sub', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment') as batch:
        batch.drop_column('wellbeing_county_participant_sub')
