"""The funding parts of a family's case page (the families feature asks its registered providers)."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family
from resettle.families.spend import BudgetSummary, SpendEntry, SpendSection
from resettle.families.spend import SpendLine as SummaryLine
from resettle.funding.allocation import BudgetFigures
from resettle.funding.budgets import BudgetBook, load_book
from resettle.funding.models import StreamScope
from resettle.funding.queries import list_streams
from resettle.funding.review_queries import spend_row_options
from resettle.funding.spend_models import SpendLine
from resettle.words import format_pence


def used_text(figures: BudgetFigures) -> str:
    """How much of a budget is used, in words: never "0% used" when something is committed or spent."""
    if figures.allocated == 0 and figures.used == 0:
        return "Nothing allocated"
    if figures.used and not figures.percent_used:
        return "Less than 1% used"
    return f"{figures.percent_used}% used"


def _own_budgets(family: Family) -> BudgetBook:
    """The figures of the family's own budgets only. The pools it draws on are not shown with them, and a pool's
    allocation counts every family of its scheme: left out here, the family's pages cost the same in a borough
    and across London."""
    as_at = local_today()
    streams = [stream for stream in list_streams(open_on=as_at) if stream.scope is StreamScope.FAMILY]
    return load_book(as_at, families=[family], streams=streams)


def family_spend_summary(family: Family) -> list[SummaryLine]:
    """Spent per own budget, with what is left, and what is waiting for review."""
    lines = []
    pending = 0
    book = _own_budgets(family)
    views = book.family_views(family)
    for problem in book.skipped:
        lines.append(SummaryLine(f"Budgets not computed for {problem.reference}: {problem.reason}", 0))
    for view in views:
        pending += view.figures.pending if view.stream.scope is StreamScope.FAMILY else 0
        if view.stream.scope is StreamScope.FAMILY and (view.figures.allocated or view.figures.used):
            lines.append(
                SummaryLine(
                    f"{view.stream.name} spent ({format_pence(view.figures.remaining)} left of "
                    f"{format_pence(view.figures.allocated)}, {view.figures.level.label.lower()})",
                    view.figures.spent,
                )
            )
    if pending:
        lines.append(SummaryLine("Waiting for review", pending))
    return lines


def family_spend_section(family: Family) -> SpendSection:
    """The family's own budgets (committed and spent summed from its lines, as on the budgets pages) and every
    spend line of the family, newest first: a fixed number of statements however many lines there are."""
    book = _own_budgets(family)
    budgets = [
        BudgetSummary(
            stream=view.stream.name,
            allocated=view.figures.allocated,
            committed=view.figures.committed,
            spent=view.figures.spent,
            pending=view.figures.pending,
            remaining=view.figures.remaining,
            used_text=used_text(view.figures),
            level=view.figures.level.value,
            level_label=view.figures.level.label,
        )
        for view in book.family_views(family)
        if view.stream.scope is StreamScope.FAMILY and (view.figures.allocated or view.figures.used)
    ]
    rows = db.session.execute(
        select(SpendLine)
        .where(SpendLine.family_id == family.id)
        .order_by(SpendLine.spend_date.desc(), SpendLine.id.desc())
        .options(*spend_row_options())
    ).scalars()
    lines = [
        SpendEntry(
            reference=line.reference,
            href=url_for("funding.show_spend_line", public_id=line.public_id),
            what=line.expense_category.label,
            description=line.item_description,
            stream=line.stream.name,
            spend_date=line.spend_date,
            pence=line.amount_pence,
            status=line.status.label,
            tag_class=line.status.tag_class,
        )
        for line in rows
    ]
    problems = [f"Budgets not computed: {problem.reason}" for problem in book.skipped]
    return SpendSection(budgets=budgets, lines=lines, problems=problems)
