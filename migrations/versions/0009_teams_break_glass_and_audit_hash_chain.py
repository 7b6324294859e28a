"""Need to know and audit integrity: teams and team memberships, break-glass records, the audit log's hash
chain (existing rows are chained in id order), and, when RESETTLE_DB_APP_ROLE names the role the app runs as
(PostgreSQL), grants that let that role only read and add audit rows while the owner running this keeps
the rest.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 04:00:00.000000

"""
import os
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)
from resettle.audit.chain import GENESIS_HASH, compute_row_hash
from resettle.audit.models import SQLITE_TRIGGERS


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
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

    _add_audit_chain()
    _grant_app_role()


AUDIT_COLUMNS = ('id', 'occurred_at', 'actor_id', 'actor_email', 'action', 'object_type', 'object_id', 'summary',
                 'ip_address')


def _add_audit_chain():
    """Add the hash columns and chain the rows already there, in id order, with the append-only triggers
    lifted only for this (the migration runs as the table's owner)."""
    bind = op.get_bind()
    dialect = bind.dialect.name
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
    if dialect == 'postgresql':
        op.execute('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update')
    elif dialect == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_update')
    table = sa.table('audit_events', *(sa.column(name) for name in AUDIT_COLUMNS if name != 'occurred_at'),
                     sa.column('occurred_at', resettle.db.UTCDateTime()),
                     sa.column('previous_hash'), sa.column('row_hash'))
    rows = bind.execute(sa.select(*(table.c[name] for name in AUDIT_COLUMNS)).order_by(table.c.id)).all()
    previous = GENESIS_HASH
    for row in rows:
        row_hash = compute_row_hash(SimpleNamespace(**row._asdict()), previous)
        bind.execute(table.update().where(table.c.id == row.id).values(previous_hash=previous, row_hash=row_hash))
        previous = row_hash
    if dialect == 'postgresql':
        op.execute('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('row_hash', existing_type=sa.String(length=64), nullable=False)
    if dialect == 'sqlite':  # the batch copy dropped the table's triggers: put them back
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_delete')
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def _grant_app_role():
    """When the app runs as its own role, it may read and add audit rows but never change, delete or
    truncate them, nor (not being the owner) disable the triggers; everything else it may read and write."""
    role = os.environ.get('RESETTLE_DB_APP_ROLE', '').strip()
    bind = op.get_bind()
    if not role or bind.dialect.name != 'postgresql':
        return
    if bind.execute(sa.text('SELECT 1 FROM pg_roles WHERE rolname = :role'), {'role': role}).first() is None:
        raise RuntimeError(f'RESETTLE_DB_APP_ROLE names {role!r}, which is not a role on this server')
    if role == bind.execute(sa.text('SELECT current_user')).scalar():
        raise RuntimeError('RESETTLE_DB_APP_ROLE must differ from the role running migrations (the owner)')
    quoted = bind.dialect.identifier_preparer.quote(role)
    for statement in (
        f'GRANT USAGE ON SCHEMA public TO {quoted}',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}',
        f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM {quoted}',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}',
    ):
        op.execute(statement)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('previous_hash')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_events_no_delete')
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.drop_table('break_glass_records')
    op.drop_table('team_memberships')
    op.drop_table('teams')
