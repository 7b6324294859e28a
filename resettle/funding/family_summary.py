"""The funding lines on a family's case page (the families feature asks its registered providers)."""

from __future__ import annotations

from resettle.families.models import Family
from resettle.families.spend import SpendLine as SummaryLine
from resettle.funding.budgets import load_book
from resettle.funding.models import StreamScope
from resettle.words import format_pence


def family_spend_summary(family: Family) -> list[SummaryLine]:
    """Spent per own budget, with what is left, and what is waiting for review."""
    lines = []
    pending = 0
    book = load_book(families=[family])
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
