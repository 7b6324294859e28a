"""The spend services the pages and the API share: looking up what a person names for a spend line, approving
with the question about its need, the claim preview's fingerprint, a line's version, and which refusals are
about the records as they are now (conflicts) rather than about what was sent."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from resettle.auth.models import Role
from resettle.families.models import Family, NeedStatus
from resettle.funding.claims import create_claim_batch, preview_claim
from resettle.funding.receipts import add_receipt
from resettle.funding.spend_services import (
    SpendError,
    SpendInput,
    approve_and_meet_need,
    create_spend_line,
    spend_fields_from,
    submit_spend_line,
    update_spend_line,
)
from resettle.taxonomy import Category
from tests.factories import UserFactory
from tests.families.factories import NeedFactory
from tests.funding.conftest import PDF


@pytest.fixture(autouse=True)
def in_july_2017(time_machine: Any) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)


def _given(family: Family, **values: Any) -> SpendInput:
    return replace(
        SpendInput(
            family_reference=family.reference.lower(),
            stream="VPRS-CORE",
            expense_category="fridge",
            item_description="A fridge",
            amount_pence=32_900,
            payee="Catford Electricals",
            spend_date=date(2017, 6, 20),
        ),
        **values,
    )


def test_what_a_person_names_is_looked_up_by_code_or_id(config: dict[str, Any], family: Family) -> None:
    fields = spend_fields_from(_given(family))
    assert (fields.family, fields.stream, fields.expense_category) == (
        family,
        config["streams"]["vprs-core"],
        config["categories"]["fridge"],
    )
    by_id = spend_fields_from(
        _given(family, stream=config["streams"]["vprs-core"].id, expense_category=config["categories"]["fridge"].id)
    )
    assert (by_id.stream, by_id.expense_category) == (fields.stream, fields.expense_category)


def test_each_thing_that_names_nothing_is_refused_by_its_field(config: dict[str, Any], family: Family) -> None:
    with pytest.raises(SpendError) as refused:
        spend_fields_from(
            _given(family, family_reference="RF-NOPE", stream="nope", expense_category=999_999, need_id=999_999)
        )
    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("family", "Select the family"),
        ("expense_category", "Select what was bought"),
        ("stream", "Select a funding stream"),
        ("need", "Select a need of this family"),
    ]
    assert not any(p.about_state for p in refused.value.problems)


def _submitted(config: dict[str, Any], family: Family, caseworker: Any, **values: Any) -> Any:
    line = create_spend_line(spend_fields_from(_given(family, **values)), caseworker)
    add_receipt(line, io.BytesIO(PDF), "receipt.pdf", caseworker)
    return submit_spend_line(line, caseworker)


def test_approving_spend_for_an_open_need_asks_whether_it_is_met(config: dict[str, Any], family: Family) -> None:
    caseworker, reviewer = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.REVIEWER)
    need = NeedFactory(family=family, category=Category.FURNITURE, item="fridge")
    line = _submitted(config, family, caseworker, need_id=need.id)
    with pytest.raises(SpendError) as refused:
        approve_and_meet_need(line, reviewer, "", None)
    assert [p.field for p in refused.value.problems] == ["need_met"]
    _, met = approve_and_meet_need(line, reviewer, "", True)
    assert met == need and need.status is NeedStatus.MET

    other = _submitted(config, family, caseworker)
    assert approve_and_meet_need(other, reviewer, "", None) == (other, None)  # no need: nothing to ask


def test_deciding_twice_is_a_refusal_about_the_line_as_it_is_now(config: dict[str, Any], family: Family) -> None:
    caseworker, reviewer = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.REVIEWER)
    line = _submitted(config, family, caseworker)
    approve_and_meet_need(line, reviewer)
    with pytest.raises(SpendError) as refused:
        approve_and_meet_need(line, reviewer)
    assert refused.value.problems[0].about_state
    with pytest.raises(SpendError) as refused:
        update_spend_line(line, spend_fields_from(_given(family)), caseworker)
    assert refused.value.problems[0].about_state


def test_a_lines_version_changes_with_every_save(config: dict[str, Any], family: Family, time_machine: Any) -> None:
    caseworker = UserFactory(role=Role.CASEWORKER)
    line = create_spend_line(spend_fields_from(_given(family)), caseworker)
    before = line.version
    time_machine.shift(1)
    update_spend_line(line, spend_fields_from(_given(family, amount_pence=30_000)), caseworker)
    assert line.version > before


def test_the_claim_preview_fingerprint_changes_when_the_lines_do(config: dict[str, Any], family: Family) -> None:
    caseworker, reviewer = UserFactory(role=Role.CASEWORKER), UserFactory(role=Role.REVIEWER)
    scheme = config["schemes"]["VPRS"]
    approve_and_meet_need(_submitted(config, family, caseworker), reviewer)
    first = preview_claim(scheme, date(2017, 6, 30))
    assert (len(first.lines), first.total_pence, first.fingerprint) == (1, 32_900, "1:32900")
    approve_and_meet_need(_submitted(config, family, caseworker, amount_pence=10_000), reviewer)
    assert preview_claim(scheme, date(2017, 6, 30)).fingerprint == "2:42900"
    batch = create_claim_batch(scheme, date(2017, 6, 30), reviewer)
    assert batch.line_count == 2 and preview_claim(scheme, date(2017, 6, 30)).lines == []
