"""Notifications in the service, and each user's choice of which also come by email.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

KINDS = ('new_proposal', 'spend_rejected', 'offer_withdrawn', 'task_assigned')
KIND_CHECK = "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")"


def upgrade():
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('link', sa.String(length=300), nullable=False),
        sa.Column('created_at', resettle.db.UTCDateTime(), nullable=False),
        sa.Column('read_at', resettle.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint(KIND_CHECK, name=op.f('ck_notifications_kind_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user_unread', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_index(op.f('ix_notifications_created_at'), 'notifications', ['created_at'], unique=False)
    op.create_table(
        'notification_preferences',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('by_email', sa.Boolean(), nullable=False),
        sa.CheckConstraint(KIND_CHECK, name=op.f('ck_notification_preferences_kind_known')),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
        sa.UniqueConstraint('user_id', 'kind', name='uq_notification_preferences_user_kind'),
    )
    op.create_index(
        op.f('ix_notification_preferences_user_id'), 'notification_preferences', ['user_id'], unique=False
    )


def downgrade():
    op.drop_index(op.f('ix_notification_preferences_user_id'), table_name='notification_preferences')
    op.drop_table('notification_preferences')
    op.drop_index(op.f('ix_notifications_created_at'), table_name='notifications')
    op.drop_index('ix_notifications_user_unread', table_name='notifications')
    op.drop_table('notifications')
