"""Pools and streams' totals are computed from the households grouped in the database by arrival day and age at
arrival: on SQLite and PostgreSQL they must agree with the household-by-household arithmetic, including the
29 February birthdays and arrivals, members who joined later and babies born after arrival."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from resettle.families.models import Family, Member, Scheme
from resettle.funding.allocation import arrivals_of, birthday, family_allocation, pool_allocation
from resettle.funding.budgets import grouped_arrivals, household_of, load_book
from resettle.funding.models import FundingStream, StreamScope
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, MemberFactory

AS_AT = date(2024, 3, 1)
ARRIVALS = [date(2016, 2, 29), date(2017, 3, 1), date(2023, 3, 1), date(2024, 2, 29), date(2024, 3, 1)]
TURNING_DAYS = [(2, 28), (2, 29), (3, 1), (6, 1), (12, 31)]


@st.composite
def members(draw: st.DrawFn, arrival: date) -> tuple[date, date | None]:
    """A date of birth near a birthday that matters for the rules (or anywhere), and when they joined."""
    kind = draw(st.integers(0, 2))
    if kind == 0:  # born on the arrival day, or 18 or 19 years before it
        born = (
            birthday(arrival, -draw(st.sampled_from([0, 18, 19])))
            if arrival.month * 100 + arrival.day != 229
            else arrival
        )
    elif kind == 1:
        month, day = draw(st.sampled_from(TURNING_DAYS))
        year = draw(st.integers(arrival.year - 25, arrival.year + 1))
        born = date(year, month, day) if (month, day) != (2, 29) or year % 4 == 0 else date(year, 2, 28)
    else:
        born = draw(st.dates(min_value=date(1930, 1, 1), max_value=arrival + timedelta(days=400)))
    joined = draw(st.none() | st.just(arrival + timedelta(days=30)) | st.just(arrival))
    return born, joined


@st.composite
def households(draw: st.DrawFn) -> tuple[Scheme, date, list[tuple[date, date | None]]]:
    arrival = draw(st.sampled_from(ARRIVALS) | st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 12, 31)))
    scheme = draw(st.sampled_from([Scheme.VPRS, Scheme.VCRS]))
    return scheme, arrival, draw(st.lists(members(arrival), max_size=5))


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(household_list=st.lists(households(), max_size=8))
def test_grouped_households_agree_with_each_familys_arithmetic(
    config: dict[str, Any], household_list: list[tuple[Scheme, date, list[tuple[date, date | None]]]]
) -> None:
    from resettle.extensions import db

    caseworker = UserFactory()
    try:
        for scheme, arrival, people in household_list:
            family = FamilyFactory(
                scheme=scheme, arrival_date=arrival, referral_date=date(2014, 1, 1), caseworker=caseworker
            )
            for born, joined in people:
                MemberFactory(family=family, date_of_birth=born, joined_on=joined)
        families = list(db.session.execute(select(Family)).scalars())
        by_scheme = {code: [household_of(f) for f in families if f.scheme.value == code] for code in ("VPRS", "VCRS")}

        grouped, odd = grouped_arrivals(["VPRS", "VCRS"], None)
        assert odd == []
        for code, homes in by_scheme.items():
            assert grouped.get(code, []) == arrivals_of([h for h in homes if h is not None])

        book = load_book(AS_AT, families=[], whole_streams=True)
        assert book.streams
        for stream in book.streams:
            homes = [h for h in by_scheme.get(stream.scheme.code, []) if h is not None]
            rules = stream.rule_terms()
            if stream.scope is StreamScope.POOL:
                arrived = [h for h in homes if h.arrival_date <= AS_AT]
                assert book.pool_figures(stream).allocated == pool_allocation(rules, arrived, AS_AT), stream.code
            else:
                expected = sum(family_allocation(rules, h, AS_AT) for h in homes)
                assert book.stream_figures(stream).allocated == expected, stream.code
        assert book.skipped == []
    finally:
        db.session.execute(delete(Member))
        db.session.execute(delete(Family))
        db.session.commit()


def test_a_pool_counts_only_families_arrived_by_the_day(config: dict[str, Any]) -> None:
    from resettle.extensions import db

    stream = db.session.execute(select(FundingStream).where(FundingStream.code == "vprs-esol-pool")).scalar_one()
    arrived = FamilyFactory(scheme=Scheme.VPRS, arrival_date=date(2017, 6, 1), referral_date=date(2017, 1, 1))
    due = FamilyFactory(scheme=Scheme.VPRS, arrival_date=date(2017, 6, 2), referral_date=date(2017, 1, 1))
    for family in (arrived, due):
        MemberFactory(family=family, date_of_birth=date(1980, 1, 1))
    before = load_book(date(2017, 6, 1), families=[]).pool_figures(stream).allocated
    after = load_book(date(2017, 6, 2), families=[]).pool_figures(stream).allocated
    one_adult = pool_allocation(stream.rule_terms(), [household_of(arrived)], date(2017, 6, 1))  # type: ignore[list-item]
    assert before == one_adult and after > before
