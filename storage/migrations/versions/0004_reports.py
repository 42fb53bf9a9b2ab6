"""Covering indexes for roll-ups: each report query reads an index alone, never the wide table rows

Revision ID: 0004_reports
Revises: 0003
Create Date: 2026-11-23 13:40:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0004_reports'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_commitments_member_report',
        'commitments',
        ['member_id', 'year', 'status', 'kind', 'created_at', 'withdrawn_at', 'percent', 'deadline', 'last_progress_at'],
    )
    op.create_index(
        'ix_members_cell_report', 'members', ['cell_id', 'active', 'exempt', 'paused_until', 'consent_at']
    )
    op.create_index('ix_chat_accounts_member_report', 'chat_accounts', ['member_id', 'platform', 'blocked_at'])
    op.create_index('ix_study_attendance_member_session', 'study_attendance', ['member_id', 'session_id'])


def downgrade() -> None:
    op.drop_index('ix_study_attendance_member_session', table_name='study_attendance')
    op.drop_index('ix_chat_accounts_member_report', table_name='chat_accounts')
    op.drop_index('ix_members_cell_report', table_name='members')
    op.drop_index('ix_commitments_member_report', table_name='commitments')
