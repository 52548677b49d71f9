"""the assessment figures' groupings by target group, age band and lead authority

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # From the client's path (AssessmentInput); empty in assessments started before: group `unknown`.
    with op.batch_alter_table('assessment') as batch:
        batch.add_column(sa.Column('target_group', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('lead', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment') as batch:
        batch.drop_column('lead')
        batch.drop_column('birth_date')
        batch.drop_column('target_group')
