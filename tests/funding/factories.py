"""Factories for funding configuration, spend lines, receipts and claim batches."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from resettle.families.models import FamilyStatus, Scheme
from resettle.funding.allocation import RuleBasis
from resettle.funding.models import (
    AmountRule,
    CategoryEligibility,
    Eligibility,
    ExpenseCategory,
    FundingScheme,
    FundingStream,
    StreamCategory,
    StreamScope,
)
from resettle.funding.spend_models import ClaimBatch, Receipt, SpendLine, SpendStatus
from resettle.taxonomy import Category
from tests.factories import BaseFactory, UserFactory
from tests.families.factories import FamilyFactory


class FundingSchemeFactory(BaseFactory):
    class Meta:
        model = FundingScheme
        sqlalchemy_get_or_create = ("code",)

    code = "VPRS"
    name = "Syrian Vulnerable Persons Resettlement Scheme"
    funder = "Home Office"
    notes = ""


class FundingStreamFactory(BaseFactory):
    class Meta:
        model = FundingStream

    scheme = factory.SubFactory(FundingSchemeFactory)
    code = factory.Sequence(lambda n: f"stream-{n}")
    name = factory.Sequence(lambda n: f"Stream {n}")
    scope = StreamScope.FAMILY
    requires_prior_agreement = False
    effective_from = date(2015, 1, 1)
    effective_to = None
    source_ref = "test"
    description = ""

    @factory.post_generation
    def categories(self, create: bool, extracted: list[Category] | None, **kwargs: Any) -> None:
        for category in extracted if extracted is not None else [Category.FURNITURE, Category.HOUSEHOLD]:
            self.category_links.append(StreamCategory(category=category))


class AmountRuleFactory(BaseFactory):
    class Meta:
        model = AmountRule

    stream = factory.SubFactory(FundingStreamFactory)
    basis = RuleBasis.PER_PERSON
    amount_pence = 100_000
    effective_from = date(2015, 1, 1)
    source_ref = "test"
    is_confirmed = True
    note = ""


class ExpenseCategoryFactory(BaseFactory):
    class Meta:
        model = ExpenseCategory
        sqlalchemy_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"item_{n}")
    label = factory.Sequence(lambda n: f"Item {n}")
    category = Category.FURNITURE
    is_active = True


class EligibilityFactory(BaseFactory):
    class Meta:
        model = CategoryEligibility

    scheme = factory.SubFactory(FundingSchemeFactory)
    expense_category = factory.SubFactory(ExpenseCategoryFactory)
    eligibility = Eligibility.ALLOWED
    note = ""


class ArrivedFamilyFactory(FamilyFactory):
    scheme = Scheme.VPRS
    status = FamilyStatus.ARRIVED
    arrival_date = date(2017, 6, 1)


class SpendLineFactory(BaseFactory):
    class Meta:
        model = SpendLine

    family = factory.SubFactory(ArrivedFamilyFactory)
    stream = factory.SubFactory(FundingStreamFactory)
    expense_category = factory.SubFactory(ExpenseCategoryFactory)
    item_description = "Fridge-freezer"
    amount_pence = 30_000
    payee = "Lewisham Appliance Centre"
    spend_date = date(2017, 6, 10)
    status = SpendStatus.DRAFT
    created_by = factory.SubFactory(UserFactory)


class ReceiptFactory(BaseFactory):
    class Meta:
        model = Receipt

    spend_line = factory.SubFactory(SpendLineFactory)
    original_filename = "receipt.pdf"
    stored_name = factory.Sequence(lambda n: f"{n:032x}.pdf")
    content_type = "application/pdf"
    size_bytes = 100
    sha256 = "0" * 64
    uploaded_by = factory.SelfAttribute("spend_line.created_by")


class ClaimBatchFactory(BaseFactory):
    class Meta:
        model = ClaimBatch

    reference = factory.Sequence(lambda n: f"VPRS-20170701-{n:03d}")
    scheme = factory.SubFactory(FundingSchemeFactory)
    period_end = date(2017, 7, 1)
    line_count = 1
    total_pence = 30_000
    created_by = factory.SubFactory(UserFactory)
