"""The funding rules' messages say dates as people write them."""

from __future__ import annotations

from datetime import date

from resettle.funding.models import Eligibility
from resettle.funding.rules import SpendFacts, charge_problems


def test_a_closed_stream_names_the_date_in_words() -> None:
    facts = SpendFacts(
        item_label="Fridge",
        scheme_code="VPRS",
        stream_name="Core tariff",
        eligibility=Eligibility.ALLOWED,
        family_scheme_code="VPRS",
        stream_pays_for_category=True,
        stream_open_on=False,
        spend_date=date(2026, 11, 1),
        requires_prior_agreement=False,
        agreement_reference="",
        receipt_count=1,
    )
    [problem] = charge_problems(facts)
    assert problem.message == "Core tariff is not open on 1 November 2026. Select another stream or check the date"
