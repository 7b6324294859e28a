"""Claim batches refuse a period that has not ended and say dates in words."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from resettle.auth.models import Role
from resettle.families.models import Family
from resettle.funding.claims import create_claim_batch
from resettle.funding.spend_services import SpendError, approve_spend_line
from tests.factories import UserFactory
from tests.funding.test_spend_services import record


@pytest.fixture
def caseworker(database: Any) -> Any:
    return UserFactory(role=Role.CASEWORKER)


@pytest.fixture
def reviewer(database: Any) -> Any:
    return UserFactory(role=Role.REVIEWER)


def test_a_claim_cannot_include_spend_dated_after_today(
    config: dict[str, Any], family: Family, caseworker: Any, reviewer: Any
) -> None:
    approve_spend_line(record(config, family, caseworker), reviewer)
    with pytest.raises(SpendError) as raised:
        create_claim_batch(config["schemes"]["VPRS"], date(2017, 7, 1), reviewer, today=date(2017, 6, 30))
    [problem] = raised.value.problems
    assert (problem.field, problem.message) == ("period_end", "The last date to include must be today or in the past")
    batch = create_claim_batch(config["schemes"]["VPRS"], date(2017, 6, 30), reviewer, today=date(2017, 6, 30))
    assert batch.reference == "VPRS-20170630-001"


def test_nothing_to_claim_names_the_date_in_words(config: dict[str, Any], reviewer: Any) -> None:
    with pytest.raises(SpendError) as raised:
        create_claim_batch(config["schemes"]["VPRS"], date(2017, 6, 30), reviewer, today=date(2017, 7, 1))
    assert raised.value.problems[0].message == (
        "There is no approved VPRS spend dated up to 30 June 2017 waiting to be claimed"
    )
