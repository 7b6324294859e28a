"""Factories for community offers."""

from __future__ import annotations

from datetime import UTC, datetime

import factory

from resettle.offers.models import DbsStatus, ItemCondition, LandlordType, Offer, OfferItem, OfferStatus
from resettle.taxonomy import Category
from tests.factories import BaseFactory


class OfferFactory(BaseFactory):
    class Meta:
        model = Offer

    reference = factory.Sequence(lambda n: f"OF-T{n:05d}")
    category = Category.BEFRIENDING
    status = OfferStatus.SUBMITTED
    offerer_name = factory.Faker("name", locale="en_GB")
    offerer_email = factory.Sequence(lambda n: f"resident{n}@example.org")
    consent_at = factory.LazyFunction(lambda: datetime.now(UTC))
    description = "Weekly visits and help finding the library and the market"
    capacity = 1
    postcode = "SE13 6AA"
    latitude = 51.459
    longitude = -0.011


class HousingOfferFactory(OfferFactory):
    category = Category.HOUSING
    address = "12 Example Road"
    bedrooms = 3
    rent_pence = 194467
    step_free = True
    landlord_type = LandlordType.PRIVATE
    description = ""


class TutorOfferFactory(OfferFactory):
    category = Category.ESOL
    languages = factory.LazyFunction(lambda: ["Arabic"])
    capacity = 4
    hours_per_week = 6
    home_visit = True
    dbs_status = DbsStatus.ENHANCED


class GoodsOfferFactory(OfferFactory):
    category = Category.FURNITURE
    description = ""

    @factory.post_generation
    def item_lines(self, create: bool, extracted: list[tuple[str, int]] | None, **kwargs: object) -> None:
        for kind, quantity in extracted or [("bed", 2)]:
            self.items.append(OfferItem(item_kind=kind, quantity=quantity, condition=ItemCondition.GOOD))
        self.capacity = sum(item.quantity for item in self.items)
