"""Leases for several instances on one database (issue 11): inbox rows and deliveries carry their holder

Revision ID: 0008_inbox_leases
Revises: 0007_cell_figures
Create Date: 2026-12-01 17:00:00

An inbox row is claimed by one instance for LEASE seconds (renewed while it works) and keyed by its chat, so
a chat's updates are processed one at a time in arrival order; a delivery in SENDING carries the lease of
the sender that claimed it, and `resent` counts the times it was sent again after its sender died.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008_inbox_leases'
down_revision: str | None = '0007_cell_figures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text('processed_at IS NULL')  # partial indexes: only the rows not processed yet


def upgrade() -> None:
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chat_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_inbox_updates_open', ['platform', 'id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_inbox_updates_open_chat', ['platform', 'chat_key', 'id'], unique=False,
                              postgresql_where=OPEN, sqlite_where=OPEN)
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resent', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_column('resent')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_updates_open_chat')
        batch_op.drop_index('ix_inbox_updates_open')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('chat_key')
