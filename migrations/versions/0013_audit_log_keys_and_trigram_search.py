"""Audit log indexes for reading it a page at a time; trigram indexes for searching families and the log.

- `audit_events`: the single-column indexes on occurred_at, action, object_type and object_id become
  (column, occurred_at, id) indexes, so the log's newest-first pages are read from an index, filtered or not.
- On PostgreSQL, the `pg_trgm` extension and GIN trigram indexes on the searched text: families' reference,
  name and postcode, members' full names, and the audit log's actor email. On SQLite the same indexes are
  empty partial indexes (`WHERE 0`): SQLite has no trigram index (see resettle/search.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

AUDIT_KEYS = (
    ('ix_audit_events_occurred_at_id', ['occurred_at', 'id']),
    ('ix_audit_events_action_occurred_at', ['action', 'occurred_at', 'id']),
    ('ix_audit_events_object_type_occurred_at', ['object_type', 'occurred_at', 'id']),
    ('ix_audit_events_object_id_occurred_at', ['object_id', 'occurred_at', 'id']),
)
SINGLE_COLUMN = ('occurred_at', 'action', 'object_type', 'object_id')
TRIGRAM = (
    ('ix_families_reference_trgm', 'families', 'reference'),
    ('ix_families_name_trgm', 'families', 'name'),
    ('ix_families_postcode_trgm', 'families', 'postcode'),
    ('ix_family_members_full_name_trgm', 'family_members', 'full_name'),
    ('ix_audit_events_actor_email_trgm', 'audit_events', 'actor_email'),
)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, columns in AUDIT_KEYS:
        op.create_index(name, 'audit_events', columns, unique=False)
    for column in SINGLE_COLUMN:
        op.drop_index(f'ix_audit_events_{column}', table_name='audit_events')
    for name, table, column in TRIGRAM:
        op.create_index(
            name,
            table,
            [column],
            unique=False,
            postgresql_using='gin',
            postgresql_ops={column: 'gin_trgm_ops'},
            sqlite_where=sa.text('0'),
        )


def downgrade():
    for name, table, _ in TRIGRAM:
        op.drop_index(name, table_name=table)
    for column in SINGLE_COLUMN:
        op.create_index(f'ix_audit_events_{column}', 'audit_events', [column], unique=False)
    for name, _ in AUDIT_KEYS:
        op.drop_index(name, table_name='audit_events')
    # The pg_trgm extension stays: other objects of the database may use it.
