"""One rate budget per bot token, shared by every sender on every instance (issue 11, item 2)

Revision ID: 0009_rate_budget
Revises: 0008_inbox_leases
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009_rate_budget'
down_revision: str | None = '0008_inbox_leases'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('rate_budget',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('next_at', sa.Double(), nullable=False),
    sa.Column('paused_until', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_budget'))
    )


def downgrade() -> None:
    op.drop_table('rate_budget')
