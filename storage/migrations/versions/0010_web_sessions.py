"""The leaders' web dashboard: one-time login links and browser sessions, stored as hashes; a partial index of the
registrations awaiting approval, listed on every page (issue 12)

Revision ID: 0010_web_sessions
Revises: 0009_rate_budget
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010_web_sessions'
down_revision: str | None = '0009_rate_budget'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('web_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_web_logins_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_logins')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_web_logins_token_hash'))
    )
    with op.batch_alter_table('web_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_logins_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_logins_member_id'), ['member_id'], unique=False)

    op.create_table('web_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('scope_unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_web_sessions_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_web_sessions_session_hash'))
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_sessions_member_id'), ['member_id'], unique=False)


    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_pending', ['member_id'], unique=False,
                              sqlite_where=sa.text("review_state = 'pending'"),
                              postgresql_where=sa.text("review_state = 'pending'"))


def downgrade() -> None:
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_pending', sqlite_where=sa.text("review_state = 'pending'"),
                            postgresql_where=sa.text("review_state = 'pending'"))
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_member_id'))
        batch_op.drop_index(batch_op.f('ix_web_sessions_expires_at'))
    op.drop_table('web_sessions')
    with op.batch_alter_table('web_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_logins_member_id'))
        batch_op.drop_index(batch_op.f('ix_web_logins_expires_at'))
    op.drop_table('web_logins')
