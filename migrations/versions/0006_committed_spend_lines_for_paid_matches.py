"""Committed spend lines for paid matches: a spend line may belong to a match and be `committed`; what a
budget has committed is summed from those lines, so the budget row no longer stores it.

Existing live paid matches (accepted or fulfilled) get a committed line each, so every budget shows the
same committed figure after the upgrade as before it. Downgrading stores the figure on the budget rows again
from the lines of matches not yet approved, and removes the committed lines.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 11:05:00.000000

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import resettle.db  # noqa: F401  (custom column types)
from resettle.taxonomy import CATEGORIES, ITEM_KINDS, Category


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_STATUSES = ('draft', 'submitted', 'approved', 'rejected', 'claimed')
NEW_STATUSES = ('committed', *OLD_STATUSES)


def _status_check(statuses):
    return "status IN (" + ", ".join(f"'{status}'" for status in statuses) + ")"


SERVICE_EXPENSE_CODES = {'esol': 'esol_course', 'childcare': 'childcare_place'}


def _expense_category_id(connection, category, item_kind):
    """The same mapping as the app (spend_services.expense_category_for): the item's code for goods, the kind's
    own code or its usual expense category for a service, else a new category with the kind's code (with no
    eligibility recorded: it needs approval)."""
    codes = [item_kind] if item_kind else [category, SERVICE_EXPENSE_CODES.get(category)]
    for code in codes:
        if code:
            found = connection.execute(sa.text("SELECT id FROM expense_categories WHERE code = :code"),
                                       {"code": code}).scalar()
            if found is not None:
                return found
    code = item_kind or category
    label = ITEM_KINDS[item_kind].label if item_kind else CATEGORIES[Category(category)].label
    connection.execute(sa.text(
        "INSERT INTO expense_categories (code, label, category, is_active) VALUES (:code, :label, :category, :yes)"),
        {"code": code, "label": label, "category": category, "yes": True})
    return connection.execute(sa.text("SELECT id FROM expense_categories WHERE code = :code"),
                              {"code": code}).scalar()


def _commit_live_paid_matches():
    connection = op.get_bind()
    now = datetime.now(UTC)
    rows = connection.execute(sa.text(
        "SELECT m.id, m.need_id, m.stream_id, m.charge_pence, m.accepted_by_id, m.accepted_at, "
        "n.family_id, o.reference, o.category, o.organisation, o.offerer_name, i.item_kind "
        "FROM matches m JOIN needs n ON n.id = m.need_id JOIN offers o ON o.id = m.offer_id "
        "LEFT JOIN offer_items i ON i.id = m.offer_item_id "
        "WHERE m.charge_pence > 0 AND m.status IN ('accepted', 'fulfilled') ORDER BY m.id")).mappings().all()
    fallback_user = connection.execute(sa.text("SELECT min(id) FROM users")).scalar()
    spend_lines = sa.table(
        'spend_lines', sa.column('public_id'), sa.column('family_id'), sa.column('need_id'), sa.column('stream_id'),
        sa.column('expense_category_id'), sa.column('item_description'), sa.column('amount_pence'),
        sa.column('payee'), sa.column('spend_date', sa.Date()), sa.column('status'),
        sa.column('agreement_reference'), sa.column('reviewer_note'), sa.column('rejection_reason'),
        sa.column('created_by_id'), sa.column('created_at', resettle.db.UTCDateTime()),
        sa.column('updated_at', resettle.db.UTCDateTime()), sa.column('match_id'))
    for row in rows:
        what = ITEM_KINDS[row['item_kind']].label if row['item_kind'] else CATEGORIES[Category(row['category'])].label
        accepted_at = row['accepted_at']
        spend_date = accepted_at.date() if isinstance(accepted_at, datetime) else now.date()
        connection.execute(spend_lines.insert().values(
            public_id=resettle.db.new_public_id(), family_id=row['family_id'], need_id=row['need_id'],
            stream_id=row['stream_id'],
            expense_category_id=_expense_category_id(connection, row["category"], row["item_kind"]),
            item_description=f"{what} ({row['reference']})"[:200], amount_pence=row['charge_pence'],
            payee=(row['organisation'] or row['offerer_name'])[:120], spend_date=spend_date, status='committed',
            agreement_reference='', reviewer_note='', rejection_reason='',
            created_by_id=row['accepted_by_id'] or fallback_user, created_at=now, updated_at=now,
            match_id=row['id']))


def upgrade():
    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_spend_lines_match_id_matches'), 'matches', ['match_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_spend_lines_spend_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_spend_lines_spend_status'), _status_check(NEW_STATUSES))
        batch_op.create_check_constraint(batch_op.f('ck_spend_lines_committed_for_a_match'),
                                         "status <> 'committed' OR match_id IS NOT NULL")
        batch_op.create_index('uq_spend_lines_one_per_match', ['match_id'], unique=True,
                              sqlite_where=sa.text('match_id IS NOT NULL'),
                              postgresql_where=sa.text('match_id IS NOT NULL'))

    _commit_live_paid_matches()

    with op.batch_alter_table('funding_budgets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_funding_budgets_committed_not_negative'), type_='check')
        batch_op.drop_column('committed_pence')


def downgrade():
    with op.batch_alter_table('funding_budgets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('committed_pence', sa.Integer(), nullable=False, server_default='0'))

    connection = op.get_bind()
    # What each budget row held: a family-scope row its family's lines, a pool row every line of the stream.
    connection.execute(sa.text(
        "UPDATE funding_budgets SET committed_pence = COALESCE((SELECT SUM(s.amount_pence) FROM spend_lines s "
        "WHERE s.stream_id = funding_budgets.stream_id AND s.match_id IS NOT NULL "
        "AND s.status IN ('committed', 'draft', 'submitted') "
        "AND (funding_budgets.family_id IS NULL OR s.family_id = funding_budgets.family_id)), 0)"))
    connection.execute(sa.text("DELETE FROM spend_lines WHERE status = 'committed'"))

    with op.batch_alter_table('funding_budgets', schema=None) as batch_op:
        batch_op.alter_column('committed_pence', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_funding_budgets_committed_not_negative'),
                                         'committed_pence >= 0')

    with op.batch_alter_table('spend_lines', schema=None) as batch_op:
        batch_op.drop_index('uq_spend_lines_one_per_match', sqlite_where=sa.text('match_id IS NOT NULL'),
                            postgresql_where=sa.text('match_id IS NOT NULL'))
        batch_op.drop_constraint(batch_op.f('ck_spend_lines_committed_for_a_match'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_spend_lines_spend_status'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_spend_lines_spend_status'), _status_check(OLD_STATUSES))
        batch_op.drop_constraint(batch_op.f('fk_spend_lines_match_id_matches'), type_='foreignkey')
        batch_op.drop_column('match_id')
