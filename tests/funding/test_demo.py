"""The demo borough's funding: the configuration from domain.md and spend at every stage on the demo families."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from resettle.demo import funding as funding_demo
from resettle.demo import load_demo_data
from resettle.families.models import Family
from resettle.funding.budgets import family_budgets
from resettle.funding.models import FundingScheme
from resettle.funding.spend_models import ClaimBatch, SpendLine, SpendStatus
from tests.factories import UserFactory


def test_demo_spend_covers_every_status_and_stays_within_budget(database: Any) -> None:
    load_demo_data()
    statuses = Counter(database.session.execute(select(SpendLine.status)).scalars())
    assert set(statuses) == set(SpendStatus)
    assert statuses[SpendStatus.SUBMITTED] >= 2  # something for a reviewer to approve and to reject
    assert database.session.execute(select(ClaimBatch)).scalars().one().line_count == statuses[SpendStatus.CLAIMED]
    for family in database.session.execute(select(Family)).scalars():
        for view in family_budgets(family):
            assert view.figures.remaining >= 0


def test_without_families_the_demo_loads_the_configuration_only_once(database: Any) -> None:
    users = {
        email: UserFactory(email=email)
        for email in (
            "amira.caseworker@council.example",
            "tom.caseworker@council.example",
            "grace.caseworker@council.example",
            "david.reviewer@council.example",
        )
    }
    funding_demo.load_demo(users)
    funding_demo.load_demo(users)
    assert database.session.execute(select(SpendLine)).first() is None
    assert len(database.session.execute(select(FundingScheme)).scalars().all()) == 6
