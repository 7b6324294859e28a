"""Need to know and audit integrity: teams and team memberships, break-glass records.

Revision ID: d11
Revises: 0006
Create Date: 2026-11-30 04:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'd11'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name'))
    )
    op.create_table('team_memberships',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_memberships_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_memberships_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_team_memberships'))
    )
    with op.batch_alter_table('team_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_memberships_team_id'), ['team_id'], unique=False)

    op.create_table('break_glass_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_break_glass_records_reason_given')),
    sa.CheckConstraint('expires_at > created_at', name=op.f('ck_break_glass_records_expires_after_created')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_break_glass_records_family_id_families'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_break_glass_records_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_break_glass_records'))
    )
    with op.batch_alter_table('break_glass_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_break_glass_records_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_records_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_break_glass_records_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('break_glass_records')
    op.drop_table('team_memberships')
    op.drop_table('teams')
