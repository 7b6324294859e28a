"""Tasks: an index by assignee, status and due date, for a caseworker's counts and lists at London size.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tasks_assignee_status_due_on', 'tasks', ['assignee_id', 'status', 'due_on'], unique=False)


def downgrade():
    op.drop_index('ix_tasks_assignee_status_due_on', table_name='tasks')
