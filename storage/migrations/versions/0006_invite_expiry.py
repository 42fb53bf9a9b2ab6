"""Invite codes expire and may be bound to one platform (issue 10)

Revision ID: 0006_invite_expiry
Revises: 0005_honours
Create Date: 2026-12-08 09:00:00

Codes already issued get 14 days from their creation (the default INVITE_TTL_DAYS), so a code printed long
ago stops working at the upgrade instead of staying a way in for ever.
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op


revision: str = '0006_invite_expiry'
down_revision: str | None = '0005_honours'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXISTING_CODES_TTL = timedelta(days=14)


def upgrade() -> None:
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('platform', sa.String(length=16), nullable=True))
    codes = sa.table('invite_codes', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime()),
                     sa.column('expires_at', sa.DateTime()))
    bind = op.get_bind()
    for code_id, created_at in bind.execute(sa.select(codes.c.id, codes.c.created_at)).all():
        bind.execute(codes.update().where(codes.c.id == code_id).values(expires_at=created_at + EXISTING_CODES_TTL))
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.drop_column('platform')
        batch_op.drop_column('expires_at')
