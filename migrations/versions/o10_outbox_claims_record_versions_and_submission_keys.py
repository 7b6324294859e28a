"""Outbox claims, record versions and one-time submission keys.

- `outbound_emails.claimed_until`: the process sending a message claims it, so the attempt made after a
  response and the retry job never send one message twice, and no transaction stays open while the mail
  server is slow.

Revision ID: o10
Revises: 0006
Create Date: 2026-11-30 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = 'o10'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_until', resettle.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
