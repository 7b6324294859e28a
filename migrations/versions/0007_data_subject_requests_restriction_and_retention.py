"""Subject access requests; restriction of processing, legal hold and anonymisation marks on families and
offers (existing rows: not restricted, no hold, not anonymised).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:56:13.620260

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject_access_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('offerer_email', sa.String(length=254), nullable=True),
    sa.Column('requester_name', sa.String(length=120), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', resettle.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'completed', 'withdrawn')", name=op.f('ck_subject_access_requests_status_known')),
    sa.CheckConstraint("subject_kind <> 'offerer' OR offerer_email IS NOT NULL", name=op.f('ck_subject_access_requests_offerer_has_email')),
    sa.CheckConstraint("subject_kind IN ('member', 'offerer')", name=op.f('ck_subject_access_requests_subject_kind_known')),
    sa.CheckConstraint('due_on >= received_on', name=op.f('ck_subject_access_requests_due_not_before_received')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['users.id'], name=op.f('fk_subject_access_requests_completed_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_subject_access_requests_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['family_members.id'], name=op.f('fk_subject_access_requests_member_id_family_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_access_requests')),
    sa.UniqueConstraint('public_id', name=op.f('uq_subject_access_requests_public_id'))
    )
    with op.batch_alter_table('subject_access_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_access_requests_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_access_requests_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_access_requests_status'), ['status'], unique=False)

    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restricted_at', resettle.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('restriction_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('anonymised_at', resettle.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_hold', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('erased_at', resettle.db.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('legal_hold')

    with op.batch_alter_table('families', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('legal_hold')
        batch_op.drop_column('restriction_reason')
        batch_op.drop_column('restricted_at')

    with op.batch_alter_table('subject_access_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_access_requests_status'))
        batch_op.drop_index(batch_op.f('ix_subject_access_requests_member_id'))
        batch_op.drop_index(batch_op.f('ix_subject_access_requests_due_on'))

    op.drop_table('subject_access_requests')
