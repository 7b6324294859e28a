"""The spend on a family's page. Spend lives with the funding feature, which registers providers here; until
it does, pages say that no spend is recorded rather than showing made-up figures.

Two views: `spend_summary`, the lines reviewers see (the one part of a family they may see besides its
reference and scheme), and `spend_section`, what caseworkers see on the family page: each budget's figures
and every spend line, with a way to record more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from resettle.families.models import Family


@dataclass(frozen=True)
class SpendLine:
    label: str
    pence: int


@dataclass(frozen=True)
class BudgetSummary:
    """One budget the family draws on, in pence, with its use in words ("12% used", "Less than 1% used")."""

    stream: str
    allocated: int
    committed: int
    spent: int
    pending: int
    remaining: int
    used_text: str
    level: str  # ok, warning or full
    level_label: str
    is_pool: bool = False


@dataclass(frozen=True)
class SpendEntry:
    """One spend line as the family page lists it."""

    reference: str
    href: str
    what: str
    description: str
    stream: str
    spend_date: date
    pence: int
    status: str
    tag_class: str


@dataclass(frozen=True)
class SpendSection:
    budgets: list[BudgetSummary] = field(default_factory=list)
    lines: list[SpendEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # budgets that could not be computed, and why


SpendProvider = Callable[[Family], list[SpendLine]]
SectionProvider = Callable[[Family], SpendSection]
_providers: list[SpendProvider] = []
_section_providers: list[SectionProvider] = []


def register_spend_provider(provider: SpendProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_section_provider(provider: SectionProvider) -> None:
    if provider not in _section_providers:
        _section_providers.append(provider)


def spend_summary(family: Family) -> list[SpendLine]:
    return [line for provider in _providers for line in provider(family)]


def spend_section(family: Family) -> SpendSection:
    sections = [provider(family) for provider in _section_providers]
    return SpendSection(
        budgets=[budget for section in sections for budget in section.budgets],
        lines=[line for section in sections for line in section.lines],
        problems=[problem for section in sections for problem in section.problems],
    )
