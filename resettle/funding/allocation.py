"""Budget arithmetic as pure functions over a household's composition, in integer pence.

Funding instructions state amounts per beneficiary (each adult, child and baby who arrives), per child by
age band, per "Adult" for ESOL (aged 19 or over, or turning 19 within the first 12 months after arrival)
and per household; some money is held in a pool at council level. These functions hold no amounts: the
amounts come from dated rules in the database, so a new funding instruction is a data change.

Kept free of Flask and the database so the arithmetic can be tested exhaustively (see tests/funding).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

ESOL_ADULT_AGE = 19
WARNING_PERCENT = 80


class RuleBasis(enum.StrEnum):
    """How a rule's amount multiplies with a household."""

    PER_PERSON = "per_person"  # each beneficiary, optionally only those in an age band at arrival
    PER_ESOL_ADULT = "per_esol_adult"  # each "Adult" under the 19-or-turning-19 rule
    PER_HOUSEHOLD = "per_household"  # once per family
    COUNCIL_FIXED = "council_fixed"  # a lump sum for a council-level pool, not tied to any family

    @property
    def label(self) -> str:
        return {
            "per_person": "Per person (optionally by age at arrival)",
            "per_esol_adult": "Per adult for ESOL (19, or turning 19 within 12 months of arrival)",
            "per_household": "Per family",
            "council_fixed": "Fixed amount for the council pool",
        }[self.value]


@dataclass(frozen=True)
class Household:
    """What budgets are computed from: when the family arrives (or is due to) and its members' birth dates."""

    arrival_date: date
    dates_of_birth: tuple[date, ...]


@dataclass(frozen=True)
class RuleTerms:
    """One dated amount rule. Ages are whole years at arrival, both ends inclusive."""

    basis: RuleBasis
    amount_pence: int
    effective_from: date
    effective_to: date | None = None
    age_min: int | None = None
    age_max: int | None = None
    support_year: int | None = None  # None or 1: year one; N: due once the Nth year after arrival begins


def birthday(date_of_birth: date, years: int) -> date:
    """The date someone turns `years` old; a 29 February birthday falls on 1 March in other years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


def anniversary(day: date, years: int) -> date:
    return birthday(day, years)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day` (negative before birth is reported as -1)."""
    if day < date_of_birth:
        return -1
    age = day.year - date_of_birth.year
    return age if birthday(date_of_birth, age) <= day else age - 1


def arrived_as_beneficiary(date_of_birth: date, arrival_date: date) -> bool:
    """Beneficiaries are the people who arrive: a baby born after arrival is not one."""
    return date_of_birth <= arrival_date


def is_esol_adult(date_of_birth: date, arrival_date: date) -> bool:
    """Aged 19 or over at arrival, or turning 19 before the first anniversary of arrival."""
    if not arrived_as_beneficiary(date_of_birth, arrival_date):
        return False
    return birthday(date_of_birth, ESOL_ADULT_AGE) < anniversary(arrival_date, 1)


def in_force(effective_from: date, effective_to: date | None, day: date) -> bool:
    return effective_from <= day and (effective_to is None or day <= effective_to)


def support_year_started(arrival_date: date, support_year: int | None, as_at: date) -> bool:
    """Year one money is due from the start (homes are furnished before arrival); year N from its first day."""
    if support_year is None or support_year <= 1:
        return True
    return anniversary(arrival_date, support_year - 1) <= as_at


def _in_age_band(rule: RuleTerms, age: int) -> bool:
    return (rule.age_min is None or age >= rule.age_min) and (rule.age_max is None or age <= rule.age_max)


def units_for(rule: RuleTerms, household: Household) -> int:
    """How many times the rule's amount is due for this household."""
    arrival = household.arrival_date
    if rule.basis is RuleBasis.PER_HOUSEHOLD:
        return 1
    if rule.basis is RuleBasis.COUNCIL_FIXED:
        return 0
    beneficiaries = [dob for dob in household.dates_of_birth if arrived_as_beneficiary(dob, arrival)]
    if rule.basis is RuleBasis.PER_ESOL_ADULT:
        return sum(1 for dob in beneficiaries if is_esol_adult(dob, arrival))
    return sum(1 for dob in beneficiaries if _in_age_band(rule, age_on(dob, arrival)))


def rule_allocation(rule: RuleTerms, household: Household, as_at: date) -> int:
    """Pence due to the household under one rule: the rule in force on the arrival date applies (funding
    follows the arrival cohort), and later years' money only once that year has begun."""
    if not in_force(rule.effective_from, rule.effective_to, household.arrival_date):
        return 0
    if not support_year_started(household.arrival_date, rule.support_year, as_at):
        return 0
    return rule.amount_pence * units_for(rule, household)


def family_allocation(rules: Iterable[RuleTerms], household: Household, as_at: date) -> int:
    return sum(rule_allocation(rule, household, as_at) for rule in rules)


def pool_allocation(rules: Sequence[RuleTerms], households: Iterable[Household], as_at: date) -> int:
    """A council-level pool holds its fixed amounts in force today plus what each contributing family brings."""
    fixed = sum(
        rule.amount_pence
        for rule in rules
        if rule.basis is RuleBasis.COUNCIL_FIXED and in_force(rule.effective_from, rule.effective_to, as_at)
    )
    per_family = [rule for rule in rules if rule.basis is not RuleBasis.COUNCIL_FIXED]
    return fixed + sum(family_allocation(per_family, household, as_at) for household in households)


def esol_adult_by_age(age_at_arrival: int, birthday_on_arrival: bool) -> bool:
    """`is_esol_adult` from the age at arrival and whether the arrival day is a birthday, which a database
    can compute from the dates' years, months and days: 19 or over, or 18 unless the 18th birthday is the
    arrival day itself (the 19th then falls on the first anniversary, not before it)."""
    return age_at_arrival >= ESOL_ADULT_AGE or (age_at_arrival == ESOL_ADULT_AGE - 1 and not birthday_on_arrival)


def birthday_on(date_of_birth: date, day: date) -> bool:
    """Whether `day` is a birthday (a 29 February birthday falls on 1 March in other years)."""
    return day >= date_of_birth and birthday(date_of_birth, day.year - date_of_birth.year) == day


@dataclass(frozen=True)
class Arrivals:
    """The households of a scheme arriving on one day, counted: how many, and their beneficiaries by
    (age at arrival, ESOL adult). Summing `family_allocation` over the households gives
    `arrivals_allocation` of their `Arrivals`, so a budget over many families needs one row per arrival day
    and age, not one per person (the database groups them)."""

    arrival_date: date
    households: int
    beneficiaries: Mapping[tuple[int, bool], int] = field(default_factory=dict)


def arrivals_of(households: Iterable[Household]) -> list[Arrivals]:
    """Households summed by arrival day, as the database groups them (see resettle/funding/budgets.py)."""
    counts: Counter[date] = Counter()
    people: dict[date, Counter[tuple[int, bool]]] = {}
    for household in households:
        arrival = household.arrival_date
        counts[arrival] += 1
        by_age = people.setdefault(arrival, Counter())
        for dob in household.dates_of_birth:
            if arrived_as_beneficiary(dob, arrival):
                by_age[(age_on(dob, arrival), esol_adult_by_age(age_on(dob, arrival), birthday_on(dob, arrival)))] += 1
    return [Arrivals(day, counts[day], dict(people[day])) for day in sorted(counts)]


def arrivals_units(rule: RuleTerms, arrivals: Arrivals) -> int:
    """`units_for` summed over the households arriving together."""
    if rule.basis is RuleBasis.PER_HOUSEHOLD:
        return arrivals.households
    if rule.basis is RuleBasis.COUNCIL_FIXED:
        return 0
    if rule.basis is RuleBasis.PER_ESOL_ADULT:
        return sum(count for (_, esol), count in arrivals.beneficiaries.items() if esol)
    return sum(count for (age, _), count in arrivals.beneficiaries.items() if _in_age_band(rule, age))


def arrivals_allocation(rules: Iterable[RuleTerms], arrivals: Iterable[Arrivals], as_at: date) -> int:
    """`family_allocation` summed over every household of `arrivals`, computed once per arrival day."""
    rule_list = list(rules)
    total = 0
    for group in arrivals:
        for rule in rule_list:
            if not in_force(rule.effective_from, rule.effective_to, group.arrival_date):
                continue
            if not support_year_started(group.arrival_date, rule.support_year, as_at):
                continue
            total += rule.amount_pence * arrivals_units(rule, group)
    return total


class BudgetLevel(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # 80% or more used
    FULL = "full"  # all used

    @property
    def label(self) -> str:
        return {"ok": "Within budget", "warning": "80% or more used", "full": "Fully used"}[self.value]


@dataclass(frozen=True)
class BudgetFigures:
    """Allocated, committed (accepted paid matches) and spent (approved or claimed) pence for one budget."""

    allocated: int
    committed: int
    spent: int
    pending: int = 0  # submitted and waiting for review: shown, not counted

    @property
    def used(self) -> int:
        return self.committed + self.spent

    @property
    def remaining(self) -> int:
        return self.allocated - self.used

    @property
    def percent_used(self) -> int:
        """Whole per cent, rounded down, so 79.9% never shows as 80%."""
        if self.allocated <= 0:
            return 100 if self.used > 0 else 0
        return self.used * 100 // self.allocated

    @property
    def level(self) -> BudgetLevel:
        return budget_level(self.allocated, self.used)

    def can_afford(self, amount_pence: int) -> bool:
        return can_afford(self.allocated, self.committed, self.spent, amount_pence)


def budget_level(allocated: int, used: int) -> BudgetLevel:
    if used >= allocated:
        return BudgetLevel.FULL
    if used * 100 >= allocated * WARNING_PERCENT:
        return BudgetLevel.WARNING
    return BudgetLevel.OK


def can_afford(allocated: int, committed: int, spent: int, amount_pence: int) -> bool:
    """Whether a charge fits: never lets committed plus spent go above the allocation."""
    return amount_pence > 0 and committed + spent + amount_pence <= allocated
