"""Queued matching runs with their progress, one live run at a time, one live proposal per need, and indexes
for the lists that must stay fast at London size.

Before the one-live-proposal index is made, any need left with two live proposals (by two runs at once) keeps
only its newest; the others become superseded, as a later run would have made them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

import resettle.db  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "match_run_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", resettle.db.UTCDateTime(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("live_slot", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", resettle.db.UTCDateTime(), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(live_slot IS NULL) = (phase IN ('done', 'failed'))",
            name=op.f("ck_match_run_requests_live_slot_while_live"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_match_run_requests_requested_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["match_runs.id"], name=op.f("fk_match_run_requests_run_id_match_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_run_requests")),
        sa.UniqueConstraint("live_slot", name=op.f("uq_match_run_requests_live_slot")),
        sa.UniqueConstraint("public_id", name=op.f("uq_match_run_requests_public_id")),
    )
    with op.batch_alter_table("match_run_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_match_run_requests_requested_at"), ["requested_at"], unique=False)

    op.execute(
        "UPDATE match_proposals SET status = 'superseded' WHERE status = 'proposed' AND id NOT IN "
        "(SELECT max(id) FROM match_proposals WHERE status = 'proposed' GROUP BY need_id)"
    )
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.create_index(
            "uq_match_proposals_one_live_per_need",
            ["need_id"],
            unique=True,
            postgresql_where=sa.text("status = 'proposed'"),
            sqlite_where=sa.text("status = 'proposed'"),
        )


def downgrade():
    with op.batch_alter_table("match_proposals", schema=None) as batch_op:
        batch_op.drop_index("uq_match_proposals_one_live_per_need")
    with op.batch_alter_table("match_run_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_run_requests_requested_at"))
    op.drop_table("match_run_requests")
