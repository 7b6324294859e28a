"""Outbox claims, record versions and one-time submission keys.

- `outbound_emails.claimed_until`: the process sending a message claims it, so the attempt made after a
  response and the retry job never send one message twice, and no transaction stays open while the mail
  server is slow.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

VERSIONED_TABLES = ('families', 'family_members', 'needs', 'offers', 'funding_amount_rules')


def upgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', resettle.db.UTCDateTime(timezone=True), nullable=True))
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table(
        'submission_keys',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('result_url', sa.String(length=500), nullable=False),
        sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_submission_keys')),
    )
    with op.batch_alter_table('submission_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submission_keys_created_at'), ['created_at'], unique=False)


def downgrade():
    op.drop_table('submission_keys')
    for table in VERSIONED_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
