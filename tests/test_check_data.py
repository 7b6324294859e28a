"""`flask check-data` finds values stored before the bounds existed and links to where each can be fixed."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask

from resettle.data_check import find_out_of_bounds
from resettle.families.lha import ensure_lha_rates
from resettle.families.models import Need
from tests.conftest import csrf_token_from
from tests.families.factories import FamilyFactory, MemberFactory, NeedFactory
from tests.funding.factories import SpendLineFactory
from tests.offers.factories import OfferFactory
from tests.web.sweep import forms_on, plausible_answers

TODAY = date(2026, 11, 30)


def _poisoned() -> dict[str, Any]:
    """Records as they could be stored before the bounds: straight into the database, past every check."""
    family = FamilyFactory(arrival_date=date(9999, 12, 31))
    need = NeedFactory(family=family, max_distance_km=float("inf"))
    member = MemberFactory(
        family=family, date_of_birth=date(1850, 1, 1), full_name="Omar\x07 Darwish"
    )  # a bell: PostgreSQL stores it (not NUL)
    offer = OfferFactory(rent_pence=10**9, bedrooms=3)
    return {"family": family, "need": need, "member": member, "offer": offer}


def test_out_of_bounds_values_are_found_with_links_to_fix_them(app: Flask, database: Any) -> None:
    records = _poisoned()
    FamilyFactory()  # a good family is not listed
    with app.test_request_context():
        findings = find_out_of_bounds(TODAY)
    lines = [finding.line() for finding in findings]
    family, need, member, offer = records["family"], records["need"], records["member"], records["offer"]
    expected = {
        ("arrival_date", f"http://localhost/families/{family.reference}/edit"),
        ("max_distance_km", f"http://localhost/families/{family.reference}/needs/{need.id}/edit"),
        ("date_of_birth", f"http://localhost/families/{family.reference}/members/{member.id}/edit"),
        ("full_name", f"http://localhost/families/{family.reference}/members/{member.id}/edit"),
        ("rent_pence", f"http://localhost/offers/{offer.id}/edit"),
    }
    assert {(finding.field, finding.fix_url) for finding in findings} == expected, lines
    distance = next(finding for finding in findings if finding.field == "max_distance_km")
    assert distance.value == "inf" and "1,000 km or less" in distance.problem
    arrival = next(finding for finding in findings if finding.field == "arrival_date")
    assert arrival.value == "9999-12-31" and arrival.record == f"Family {family.reference}"


def test_the_command_lists_findings_and_fails(app: Flask, database: Any) -> None:
    records = _poisoned()
    result = app.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 1, result.output
    assert f"Family {records['family'].reference}: arrival_date = 9999-12-31" in result.output
    assert f"/families/{records['family'].reference}/needs/{records['need'].id}/edit" in result.output
    assert "5 value(s) out of bounds" in result.output


def test_the_command_passes_on_good_data(app: Flask, database: Any) -> None:
    FamilyFactory(arrival_date=date(2026, 1, 5))
    NeedFactory(max_distance_km=5.0)
    SpendLineFactory()
    result = app.test_cli_runner().invoke(args=["check-data"])
    assert result.exit_code == 0, result.output
    assert "No values out of bounds." in result.output


def test_a_need_fixed_at_its_link_is_no_longer_listed(app: Flask, database: Any, caseworker_client: Any) -> None:
    ensure_lha_rates()
    need = NeedFactory(max_distance_km=float("inf"))
    with app.test_request_context():
        (finding,) = find_out_of_bounds(TODAY)
    page = caseworker_client.get(finding.fix_url)
    assert page.status_code == 200  # the stored value does not break the page that fixes it
    (form,) = [form for form in forms_on(page.get_data(as_text=True)) if "max_distance_km" in form.values]
    answers = {
        **plausible_answers(form, TODAY),
        "max_distance_km": ["10"],
        "item": [""],
        "csrf_token": [csrf_token_from(page.get_data(as_text=True))],
    }
    response = caseworker_client.post(finding.fix_url, data=answers)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert database.session.get(Need, need.id).max_distance_km == 10.0
    with app.test_request_context():
        assert find_out_of_bounds(TODAY) == []
