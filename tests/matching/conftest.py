"""Shared set-up for the matching tests: a caseworker, families with needs, offers, and a funding stream."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from resettle.auth.models import Role, User
from resettle.families.models import Family, FamilyStatus, Need
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import FundingStream
from resettle.offers.models import OfferStatus
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.families.factories import FamilyFactory, NeedFactory
from tests.funding.factories import AmountRuleFactory, FundingStreamFactory
from tests.offers.factories import OfferFactory


@pytest.fixture
def caseworker(database: Any) -> User:
    return UserFactory(role=Role.CASEWORKER, name="Amira Haddad")


def arrived_family(caseworker: User | None = None, **values: Any) -> Family:
    fields = {
        "status": FamilyStatus.ARRIVED,
        "arrival_date": date(2026, 6, 1),
        "referral_date": date(2026, 1, 10),
        **values,
    }
    if caseworker is not None:
        fields["caseworker"] = caseworker
    return FamilyFactory(**fields)


def open_need(family: Family, category: Category = Category.ESOL, **values: Any) -> Need:
    return NeedFactory(family=family, category=category, needed_by=date(2027, 1, 15), **values)


def verified_offer(category: Category = Category.ESOL, **values: Any) -> Any:
    return OfferFactory(category=category, status=OfferStatus.VERIFIED, **values)


def family_stream(amount_pence: int, categories: list[Category], code: str = "vprs-core") -> FundingStream:
    """A family-scope VPRS stream giving each arrived family `amount_pence` once."""
    stream = FundingStreamFactory(code=code, name="Core tariff", categories=categories)
    AmountRuleFactory(stream=stream, basis=RuleBasis.PER_HOUSEHOLD, amount_pence=amount_pence)
    return stream
