"""The eligibility table seeded from domain.md §1.4 and the rules a spend line must meet."""

from __future__ import annotations

from datetime import date
from typing import Any

from resettle.funding.models import Eligibility
from resettle.funding.queries import DEFAULT_ELIGIBILITY, eligibility_of
from resettle.funding.rules import SpendFacts, approval_problems, charge_problems, submission_problems
from tests.funding.factories import ExpenseCategoryFactory

TABLE = [
    ("television", Eligibility.BLOCKED),
    ("dvd_player", Eligibility.BLOCKED),
    ("games_console", Eligibility.BLOCKED),
    ("entertainment_electronics", Eligibility.BLOCKED),
    ("computer", Eligibility.NEEDS_APPROVAL),
    ("tablet", Eligibility.NEEDS_APPROVAL),
    ("radio", Eligibility.NEEDS_APPROVAL),
    ("fridge", Eligibility.ALLOWED),
    ("cooker", Eligibility.ALLOWED),
    ("washing_machine", Eligibility.ALLOWED),
    ("toaster", Eligibility.ALLOWED),
    ("bed", Eligibility.ALLOWED),
    ("esol_course", Eligibility.ALLOWED),
]


def test_seeded_eligibility_for_every_scheme(config: dict[str, Any]) -> None:
    assert set(config["schemes"]) == {"VPRS", "VCRS", "UKRS", "ARP", "HFU", "CS"}
    for scheme in config["schemes"].values():
        seeded = {code: eligibility_of(scheme.id, config["categories"][code].id) for code, _ in TABLE}
        assert seeded == dict(TABLE), scheme.code


def test_a_category_without_a_decision_needs_approval(config: dict[str, Any]) -> None:
    new_category = ExpenseCategoryFactory(code="hot_tub", label="Hot tub")
    assert DEFAULT_ELIGIBILITY is Eligibility.NEEDS_APPROVAL
    assert eligibility_of(config["schemes"]["UKRS"].id, new_category.id) is Eligibility.NEEDS_APPROVAL


def facts(**changes: Any) -> SpendFacts:
    values: dict[str, Any] = {
        "item_label": "Fridge",
        "scheme_code": "VPRS",
        "stream_name": "Core tariff",
        "eligibility": Eligibility.ALLOWED,
        "family_scheme_code": "VPRS",
        "stream_pays_for_category": True,
        "stream_open_on": True,
        "spend_date": date(2017, 6, 10),
        "requires_prior_agreement": False,
        "agreement_reference": "",
        "receipt_count": 1,
    }
    values.update(changes)
    return SpendFacts(**values)


def test_allowed_spend_with_a_receipt_has_no_problems() -> None:
    assert approval_problems(facts(), "") == []


def test_blocked_items_point_to_a_donated_offer() -> None:
    problems = charge_problems(facts(eligibility=Eligibility.BLOCKED, item_label="Television"))
    assert [p.field for p in problems] == ["expense_category"]
    assert "Television cannot be paid for from VPRS funds" in problems[0].message
    assert "donated" in problems[0].message and "offer" in problems[0].message


def test_needs_approval_items_need_a_reviewers_note() -> None:
    needing = facts(eligibility=Eligibility.NEEDS_APPROVAL, item_label="Laptop")
    assert submission_problems(needing) == []  # a caseworker may submit it
    assert [p.field for p in approval_problems(needing, "  ")] == ["note"]
    assert approval_problems(needing, "College course needs it") == []


def test_exceptional_costs_need_the_home_office_agreement_reference() -> None:
    exceptional = facts(requires_prior_agreement=True)
    assert [p.field for p in submission_problems(exceptional)] == ["agreement_reference"]
    assert submission_problems(facts(requires_prior_agreement=True, agreement_reference="HO/EXC/2017/014")) == []


def test_a_receipt_is_needed_before_submitting() -> None:
    assert [p.field for p in submission_problems(facts(receipt_count=0))] == ["receipt"]


def test_only_the_familys_own_scheme_and_a_stream_that_pays_for_it() -> None:
    problems = charge_problems(facts(family_scheme_code="UKRS", stream_pays_for_category=False, stream_open_on=False))
    assert [p.field for p in problems] == ["stream", "stream", "spend_date"]
