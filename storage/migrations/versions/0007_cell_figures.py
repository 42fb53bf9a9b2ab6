"""The version of each unit's figures: the roll-up recomputes a cell only when it changed (issue 12)

Revision ID: 0007_cell_figures
Revises: 0006_invite_expiry
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_cell_figures'
down_revision: str | None = '0006_invite_expiry'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cell_versions',
    sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_cell_versions'))
    )


def downgrade() -> None:
    op.drop_table('cell_versions')
