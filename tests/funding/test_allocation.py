"""Budget arithmetic in integer pence: ages, the ESOL "Adult" rule, dated rules, pools and the 80%/100% levels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resettle.funding.allocation import (
    BudgetFigures,
    BudgetLevel,
    Household,
    RuleBasis,
    RuleTerms,
    age_on,
    arrivals_allocation,
    arrivals_of,
    birthday_on,
    budget_level,
    can_afford,
    esol_adult_by_age,
    family_allocation,
    is_esol_adult,
    pool_allocation,
    rule_allocation,
)

ARRIVAL = date(2017, 6, 1)
EDUCATION = [
    RuleTerms(RuleBasis.PER_PERSON, 450_000, date(2015, 9, 7), age_min=5, age_max=18),
    RuleTerms(RuleBasis.PER_PERSON, 225_000, date(2015, 9, 7), age_min=3, age_max=4),
]
ESOL = RuleTerms(RuleBasis.PER_ESOL_ADULT, 85_000, date(2015, 9, 7))

dates = st.dates(min_value=date(1920, 1, 1), max_value=date(2040, 12, 31))
amounts = st.integers(min_value=0, max_value=5_000_000)
rules = st.builds(
    RuleTerms,
    basis=st.sampled_from([RuleBasis.PER_PERSON, RuleBasis.PER_ESOL_ADULT, RuleBasis.PER_HOUSEHOLD]),
    amount_pence=amounts,
    effective_from=st.dates(min_value=date(2010, 1, 1), max_value=date(2030, 1, 1)),
    effective_to=st.none() | st.dates(min_value=date(2030, 1, 1), max_value=date(2040, 1, 1)),
    age_min=st.none() | st.integers(0, 20),
    age_max=st.none() | st.integers(20, 120),
    support_year=st.none() | st.integers(1, 5),
)
households = st.builds(
    Household,
    arrival_date=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)),
    dates_of_birth=st.lists(dates, max_size=9).map(tuple),
)


def born(years_before_arrival: int, days: int = 0) -> date:
    return date(ARRIVAL.year - years_before_arrival, ARRIVAL.month, ARRIVAL.day) + timedelta(days=days)


@pytest.mark.parametrize(
    ("date_of_birth", "is_adult"),
    [
        (born(19), True),  # 19 on the day of arrival
        (born(40), True),
        (born(18, days=-200), True),  # 18 at arrival, 19 within the year
        (born(18, days=-1), True),  # turns 19 on the last day of the first 12 months
        (born(18), False),  # turns 19 on the first anniversary: outside the first 12 months
        (born(18, days=100), False),
        (born(17), False),
        (ARRIVAL + timedelta(days=10), False),  # born after arrival: not a beneficiary
    ],
)
def test_esol_adult_is_19_or_turning_19_within_12_months_of_arrival(date_of_birth: date, is_adult: bool) -> None:
    assert is_esol_adult(date_of_birth, ARRIVAL) is is_adult


def test_a_29_february_birthday_counts_from_1_march_in_other_years() -> None:
    assert age_on(date(2000, 2, 29), date(2019, 2, 28)) == 18
    assert age_on(date(2000, 2, 29), date(2019, 3, 1)) == 19
    assert age_on(date(2000, 2, 29), date(2020, 2, 29)) == 20


@given(date_of_birth=dates, day=dates)
def test_age_matches_the_calendar_definition(date_of_birth: date, day: date) -> None:
    expected = day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))
    assert age_on(date_of_birth, day) == (expected if day >= date_of_birth else -1)


@given(date_of_birth=dates, arrival=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)))
def test_an_esol_adult_is_19_on_the_day_before_the_first_anniversary(date_of_birth: date, arrival: date) -> None:
    if (arrival.month, arrival.day) == (2, 29):
        last_day_of_first_year = date(arrival.year + 1, 2, 28)
    else:
        last_day_of_first_year = date(arrival.year + 1, arrival.month, arrival.day) - timedelta(days=1)
    expected = date_of_birth <= arrival and age_on(date_of_birth, last_day_of_first_year) >= 19
    assert is_esol_adult(date_of_birth, arrival) is expected


def test_education_money_follows_age_bands_at_arrival() -> None:
    household = Household(ARRIVAL, (born(40), born(36), born(13), born(4), born(2), born(18), born(19)))
    # Two children aged 5-18 (13 and 18) at £4,500; one aged 3-4 at £2,250; the 2-year-old and adults get nothing.
    assert family_allocation(EDUCATION, household, ARRIVAL) == 2 * 450_000 + 225_000


def test_esol_counts_adults_under_the_19_rule() -> None:
    household = Household(ARRIVAL, (born(40), born(36), born(18, days=-100), born(17)))
    assert rule_allocation(ESOL, household, ARRIVAL) == 3 * 85_000


def test_the_rule_in_force_on_the_arrival_date_applies() -> None:
    hfu = [
        RuleTerms(RuleBasis.PER_PERSON, 1_050_000, date(2022, 3, 14), date(2022, 12, 31)),
        RuleTerms(RuleBasis.PER_PERSON, 590_000, date(2023, 1, 1)),
    ]
    two_people = (date(1980, 1, 1), date(2010, 1, 1))
    assert family_allocation(hfu, Household(date(2022, 12, 31), two_people), date(2024, 1, 1)) == 2_100_000
    assert family_allocation(hfu, Household(date(2023, 1, 1), two_people), date(2024, 1, 1)) == 1_180_000


def test_later_years_money_is_due_once_that_year_begins() -> None:
    core = [
        RuleTerms(RuleBasis.PER_PERSON, 852_000, date(2015, 9, 7)),
        RuleTerms(RuleBasis.PER_PERSON, 500_000, date(2015, 9, 7), support_year=2),
    ]
    household = Household(ARRIVAL, (born(30),))
    assert family_allocation(core, household, ARRIVAL - timedelta(days=30)) == 852_000  # furnishing before arrival
    assert family_allocation(core, household, date(2018, 5, 31)) == 852_000
    assert family_allocation(core, household, date(2018, 6, 1)) == 1_352_000


def test_a_pool_holds_its_fixed_amount_and_what_each_family_brings() -> None:
    fixed = RuleTerms(RuleBasis.COUNCIL_FIXED, 2_500_000, date(2015, 1, 1))
    families = [Household(ARRIVAL, (born(40), born(10))), Household(ARRIVAL, (born(30), born(29)))]
    assert pool_allocation([fixed, ESOL], families, ARRIVAL) == 2_500_000 + 3 * 85_000
    assert family_allocation([fixed], families[0], ARRIVAL) == 0  # a fixed pool amount is no family's


@given(rule_list=st.lists(rules, max_size=6), household=households, as_at=dates)
def test_a_family_allocation_is_the_sum_of_its_rules_and_never_negative(
    rule_list: list[RuleTerms], household: Household, as_at: date
) -> None:
    total = family_allocation(rule_list, household, as_at)
    assert isinstance(total, int)
    assert total == sum(rule_allocation(rule, household, as_at) for rule in rule_list) >= 0


@given(rule_list=st.lists(rules, max_size=6), household=households, extra=dates, as_at=dates)
def test_members_order_does_not_matter_and_another_member_never_lowers_it(
    rule_list: list[RuleTerms], household: Household, extra: date, as_at: date
) -> None:
    total = family_allocation(rule_list, household, as_at)
    reordered = Household(household.arrival_date, tuple(reversed(household.dates_of_birth)))
    bigger = Household(household.arrival_date, (*household.dates_of_birth, extra))
    assert family_allocation(rule_list, reordered, as_at) == total
    assert family_allocation(rule_list, bigger, as_at) >= total


@given(rule_list=st.lists(rules, max_size=4), household_list=st.lists(households, max_size=5), as_at=dates)
def test_a_pool_without_fixed_amounts_is_the_sum_of_its_families(
    rule_list: list[RuleTerms], household_list: list[Household], as_at: date
) -> None:
    assert pool_allocation(rule_list, household_list, as_at) == sum(
        family_allocation(rule_list, household, as_at) for household in household_list
    )


@given(
    allocated=st.integers(0, 10_000_000),
    committed=st.integers(0, 1_000_000),
    charges=st.lists(st.integers(-100, 3_000_000), max_size=30),
)
def test_approving_charge_after_charge_never_overspends(allocated: int, committed: int, charges: list[int]) -> None:
    spent = 0
    for charge in charges:
        if can_afford(allocated, committed, spent, charge):
            spent += charge
        figures = BudgetFigures(allocated=allocated, committed=committed, spent=spent)
        assert spent >= 0
        assert figures.used <= max(allocated, committed)
        if committed <= allocated:
            assert figures.remaining >= 0


@pytest.mark.parametrize(
    ("allocated", "used", "level"),
    [
        (100_000, 0, BudgetLevel.OK),
        (100_000, 79_999, BudgetLevel.OK),
        (100_000, 80_000, BudgetLevel.WARNING),
        (100_000, 99_999, BudgetLevel.WARNING),
        (100_000, 100_000, BudgetLevel.FULL),
        (0, 0, BudgetLevel.FULL),
        (3, 2, BudgetLevel.OK),  # 66%: integer arithmetic, no rounding up
        (5, 4, BudgetLevel.WARNING),  # exactly 80%
    ],
)
def test_warnings_at_80_and_100_percent(allocated: int, used: int, level: BudgetLevel) -> None:
    assert budget_level(allocated, used) is level


@given(allocated=st.integers(1, 10_000_000), used=st.integers(0, 10_000_000))
def test_the_percentage_shown_never_rounds_up_past_a_threshold(allocated: int, used: int) -> None:
    figures = BudgetFigures(allocated=allocated, committed=0, spent=used)
    assert figures.percent_used * allocated <= used * 100
    assert (figures.level is BudgetLevel.OK) == (figures.percent_used < 80)


# Dates around 29 February and the 18th and 19th birthdays, where the ESOL rule turns.
leap_days = st.sampled_from([(2, 28), (2, 29), (3, 1), (12, 31), (1, 1), (6, 1)])


@st.composite
def birth_and_arrival(draw: st.DrawFn) -> tuple[date, date]:
    arrival = draw(st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)))
    if draw(st.booleans()):
        month, day = draw(leap_days)
        year = draw(st.integers(arrival.year - 25, arrival.year))
        dob = date(year, month, day) if (month, day) != (2, 29) or year % 4 == 0 else date(year, 3, 1)
    else:
        dob = draw(st.dates(min_value=date(arrival.year - 25, 1, 1), max_value=arrival))
    return min(dob, arrival), arrival


@given(dates_pair=birth_and_arrival())
def test_the_esol_rule_from_age_and_birthday_on_arrival_agrees_with_the_dates(dates_pair: tuple[date, date]) -> None:
    dob, arrival = dates_pair
    assert esol_adult_by_age(age_on(dob, arrival), birthday_on(dob, arrival)) is is_esol_adult(dob, arrival)


@pytest.mark.parametrize(
    ("dob", "arrival", "expected"),
    [
        (date(2008, 2, 29), date(2026, 3, 1), False),  # 18 on arrival (1 March), 19 on the first anniversary
        (date(2008, 2, 29), date(2026, 2, 28), False),  # 17 on arrival
        (date(2008, 2, 29), date(2027, 2, 28), True),  # 18, turning 19 on 1 March, before the anniversary
        (date(2010, 2, 28), date(2028, 2, 29), True),  # arrival on 29 February: the anniversary is 1 March
        (date(2010, 3, 1), date(2028, 2, 29), False),
        (date(2008, 6, 1), date(2026, 6, 1), False),  # 18th birthday on the arrival day
        (date(2008, 6, 2), date(2026, 6, 1), False),  # 17 on arrival: 19 after the anniversary
        (date(2008, 5, 31), date(2026, 6, 1), True),
    ],
)
def test_the_esol_rule_at_its_edges(dob: date, arrival: date, expected: bool) -> None:
    assert is_esol_adult(dob, arrival) is expected
    assert esol_adult_by_age(age_on(dob, arrival), birthday_on(dob, arrival)) is expected


arrival_days = st.sampled_from([date(2016, 2, 29), date(2017, 3, 1), date(2020, 6, 1), date(2024, 12, 31)])
grouped_households = st.builds(
    Household,
    arrival_date=arrival_days | st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)),
    dates_of_birth=st.lists(dates, max_size=6).map(tuple),
)


@given(
    rule_list=st.lists(rules, max_size=6),
    household_list=st.lists(grouped_households, max_size=12),
    as_at=dates,
)
def test_allocations_summed_by_arrival_day_equal_the_sum_of_each_familys(
    rule_list: list[RuleTerms], household_list: list[Household], as_at: date
) -> None:
    grouped = arrivals_of(household_list)
    assert sum(group.households for group in grouped) == len(household_list)
    assert arrivals_allocation(rule_list, grouped, as_at) == sum(
        family_allocation(rule_list, household, as_at) for household in household_list
    )
