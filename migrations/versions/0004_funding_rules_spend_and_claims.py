"""Funding schemes, rules, eligibility, spend lines, receipts, budgets and claims.

Enumerations are VARCHAR columns with named CHECK constraints (no PostgreSQL enum types), so there are no
types to drop on downgrade and no clash with other features' enum types.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 10:23:24.182483

"""
from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('expense_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('category', sa.Enum('housing', 'furniture', 'household', 'esol', 'school_support', 'childcare', 'meal', 'befriending', 'employment', 'health_access', 'digital', 'activities', 'legal_advice', 'other', name='expense_need_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('code = lower(code)', name=op.f('ck_expense_categories_code_lower_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_expense_categories_code'))
    )
    op.create_table('funding_schemes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('funder', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('code = upper(code)', name=op.f('ck_funding_schemes_code_upper_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_schemes')),
    sa.UniqueConstraint('code', name=op.f('uq_funding_schemes_code'))
    )
    op.create_table('claim_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('total_pence', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('line_count > 0', name=op.f('ck_claim_batches_line_count_positive')),
    sa.CheckConstraint('total_pence > 0', name=op.f('ck_claim_batches_total_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_claim_batches_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['scheme_id'], ['funding_schemes.id'], name=op.f('fk_claim_batches_scheme_id_funding_schemes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_batches')),
    sa.UniqueConstraint('public_id', name=op.f('uq_claim_batches_public_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_claim_batches_reference'))
    )
    with op.batch_alter_table('claim_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_batches_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('expense_category_eligibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('expense_category_id', sa.Integer(), nullable=False),
    sa.Column('eligibility', sa.Enum('allowed', 'blocked', 'needs_approval', name='funding_eligibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['expense_category_id'], ['expense_categories.id'], name=op.f('fk_expense_category_eligibility_expense_category_id_expense_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scheme_id'], ['funding_schemes.id'], name=op.f('fk_expense_category_eligibility_scheme_id_funding_schemes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_expense_category_eligibility')),
    sa.UniqueConstraint('scheme_id', 'expense_category_id', name='uq_expense_category_eligibility_scheme_category')
    )
    with op.batch_alter_table('expense_category_eligibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expense_category_eligibility_expense_category_id'), ['expense_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_expense_category_eligibility_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('funding_streams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('scope', sa.Enum('family', 'pool', name='funding_stream_scope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('requires_prior_agreement', sa.Boolean(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('source_ref', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.CheckConstraint('code = lower(code)', name=op.f('ck_funding_streams_code_lower_case')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_funding_streams_dates_in_order')),
    sa.ForeignKeyConstraint(['scheme_id'], ['funding_schemes.id'], name=op.f('fk_funding_streams_scheme_id_funding_schemes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_streams')),
    sa.UniqueConstraint('code', name=op.f('uq_funding_streams_code'))
    )
    with op.batch_alter_table('funding_streams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_streams_scheme_id'), ['scheme_id'], unique=False)

    op.create_table('funding_amount_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('basis', sa.Enum('per_person', 'per_esol_adult', 'per_household', 'council_fixed', name='funding_rule_basis', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('age_min', sa.Integer(), nullable=True),
    sa.Column('age_max', sa.Integer(), nullable=True),
    sa.Column('support_year', sa.Integer(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_to', sa.Date(), nullable=True),
    sa.Column('source_ref', sa.String(length=300), nullable=False),
    sa.Column('is_confirmed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.CheckConstraint('age_max IS NULL OR age_min IS NULL OR age_max >= age_min', name=op.f('ck_funding_amount_rules_age_band_in_order')),
    sa.CheckConstraint('age_min IS NULL OR age_min >= 0', name=op.f('ck_funding_amount_rules_age_min_not_negative')),
    sa.CheckConstraint('amount_pence >= 0', name=op.f('ck_funding_amount_rules_amount_not_negative')),
    sa.CheckConstraint('effective_to IS NULL OR effective_to >= effective_from', name=op.f('ck_funding_amount_rules_dates_in_order')),
    sa.CheckConstraint('support_year IS NULL OR (support_year >= 1 AND support_year <= 10)', name=op.f('ck_funding_amount_rules_support_year_in_range')),
    sa.ForeignKeyConstraint(['stream_id'], ['funding_streams.id'], name=op.f('fk_funding_amount_rules_stream_id_funding_streams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_amount_rules'))
    )
    with op.batch_alter_table('funding_amount_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_amount_rules_stream_id'), ['stream_id'], unique=False)

    op.create_table('funding_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=True),
    sa.Column('committed_pence', sa.Integer(), nullable=False),
    sa.Column('updated_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('committed_pence >= 0', name=op.f('ck_funding_budgets_committed_not_negative')),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_funding_budgets_family_id_families'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['stream_id'], ['funding_streams.id'], name=op.f('fk_funding_budgets_stream_id_funding_streams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_budgets')),
    sa.UniqueConstraint('stream_id', 'family_id', name='uq_funding_budgets_stream_family')
    )
    with op.batch_alter_table('funding_budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_budgets_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_budgets_stream_id'), ['stream_id'], unique=False)
        batch_op.create_index('uq_funding_budgets_one_pool_row', ['stream_id'], unique=True, sqlite_where=sa.text('family_id IS NULL'), postgresql_where=sa.text('family_id IS NULL'))

    op.create_table('funding_stream_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('housing', 'furniture', 'household', 'esol', 'school_support', 'childcare', 'meal', 'befriending', 'employment', 'health_access', 'digital', 'activities', 'legal_advice', 'other', name='funding_stream_category', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['stream_id'], ['funding_streams.id'], name=op.f('fk_funding_stream_categories_stream_id_funding_streams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_stream_categories')),
    sa.UniqueConstraint('stream_id', 'category', name='uq_funding_stream_categories_stream_category')
    )
    with op.batch_alter_table('funding_stream_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_stream_categories_stream_id'), ['stream_id'], unique=False)

    op.create_table('spend_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('family_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('stream_id', sa.Integer(), nullable=False),
    sa.Column('expense_category_id', sa.Integer(), nullable=False),
    sa.Column('item_description', sa.String(length=200), nullable=False),
    sa.Column('amount_pence', sa.Integer(), nullable=False),
    sa.Column('payee', sa.String(length=120), nullable=False),
    sa.Column('spend_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'approved', 'rejected', 'claimed', name='spend_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('agreement_reference', sa.String(length=100), nullable=False),
    sa.Column('reviewer_note', sa.Text(), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', resettle.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', resettle.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_batch_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(status = 'claimed') = (claim_batch_id IS NOT NULL)", name=op.f('ck_spend_lines_claimed_in_a_batch')),
    sa.CheckConstraint("status <> 'rejected' OR rejection_reason <> ''", name=op.f('ck_spend_lines_rejection_has_reason')),
    sa.CheckConstraint("status NOT IN ('approved', 'rejected', 'claimed') OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)", name=op.f('ck_spend_lines_decision_recorded')),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_spend_lines_amount_positive')),
    sa.ForeignKeyConstraint(['claim_batch_id'], ['claim_batches.id'], name=op.f('fk_spend_lines_claim_batch_id_claim_batches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_spend_lines_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_spend_lines_decided_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['expense_category_id'], ['expense_categories.id'], name=op.f('fk_spend_lines_expense_category_id_expense_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['family_id'], ['families.id'], name=op.f('fk_spend_lines_family_id_families'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_spend_lines_need_id_needs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stream_id'], ['funding_streams.id'], name=op.f('fk_spend_lines_stream_id_funding_streams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_lines')),
    sa.UniqueConstraint('public_id', name=op.f('uq_spend_lines_public_id'))
    )
    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spend_lines_claim_batch_id'), ['claim_batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_expense_category_id'), ['expense_category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_family_id'), ['family_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_need_id'), ['need_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_spend_date'), ['spend_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_stream_id'), ['stream_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spend_lines_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('spend_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('spend_line_id', sa.Integer(), nullable=False),
    sa.Column('original_filename', sa.String(length=200), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size_bytes > 0', name=op.f('ck_spend_receipts_size_positive')),
    sa.ForeignKeyConstraint(['spend_line_id'], ['spend_lines.id'], name=op.f('fk_spend_receipts_spend_line_id_spend_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_spend_receipts_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spend_receipts')),
    sa.UniqueConstraint('public_id', name=op.f('uq_spend_receipts_public_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_spend_receipts_stored_name'))
    )
    with op.batch_alter_table('spend_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spend_receipts_spend_line_id'), ['spend_line_id'], unique=False)



def downgrade():
    with op.batch_alter_table('spend_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spend_receipts_spend_line_id'))

    op.drop_table('spend_receipts')
    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spend_lines_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_stream_id'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_status'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_spend_date'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_need_id'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_family_id'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_expense_category_id'))
        batch_op.drop_index(batch_op.f('ix_spend_lines_claim_batch_id'))

    op.drop_table('spend_lines')
    with op.batch_alter_table('funding_stream_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_stream_categories_stream_id'))

    op.drop_table('funding_stream_categories')
    with op.batch_alter_table('funding_budgets', schema=None) as batch_op:
        batch_op.drop_index('uq_funding_budgets_one_pool_row', sqlite_where=sa.text('family_id IS NULL'), postgresql_where=sa.text('family_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_funding_budgets_stream_id'))
        batch_op.drop_index(batch_op.f('ix_funding_budgets_family_id'))

    op.drop_table('funding_budgets')
    with op.batch_alter_table('funding_amount_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_amount_rules_stream_id'))

    op.drop_table('funding_amount_rules')
    with op.batch_alter_table('funding_streams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_streams_scheme_id'))

    op.drop_table('funding_streams')
    with op.batch_alter_table('expense_category_eligibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expense_category_eligibility_scheme_id'))
        batch_op.drop_index(batch_op.f('ix_expense_category_eligibility_expense_category_id'))

    op.drop_table('expense_category_eligibility')
    with op.batch_alter_table('claim_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_batches_scheme_id'))

    op.drop_table('claim_batches')
    op.drop_table('funding_schemes')
    op.drop_table('expense_categories')
