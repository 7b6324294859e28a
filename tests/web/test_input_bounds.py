"""The named bad inputs that used to give server errors or store impossible values: each gets the field's own
GOV.UK message beside the field and in the error summary, keeps the person's answers, and saves nothing."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from resettle.auth.models import Role
from resettle.families.lha import ensure_lha_rates
from resettle.families.models import CaseNote, Family, Need
from resettle.offers.models import Offer
from resettle.web.forms import BoundedForm
from tests.conftest import submit_form
from tests.families.factories import FamilyFactory
from tests.offers.answers import HOUSING
from tests.offers.factories import OfferFactory

FORTY_DIGITS = "1" * 40


@pytest.fixture(autouse=True)
def _lha(database: Any) -> None:
    ensure_lha_rates()


def count(database: Any, model: type) -> int:
    return database.session.execute(select(func.count()).select_from(model)).scalar_one()


def refused(response: Any, message: str) -> str:
    """The form came back with `message` in the error summary and beside the field."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200, response.status_code
    assert "govuk-error-summary" in html
    assert html.count(message) >= 2, f"{message!r} not both in the summary and beside the field"
    return html


def family_answers(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Darwish family",
        "scheme": "VPRS",
        "referral_date": ["10", "1", "2020"],
        "arrival_date": ["", "", ""],
        "caseworker": "",
        "postcode": "SE4 1AA",
        "brma": "",
        "preferred_languages": "Arabic",
        "applicant_name": "Omar Darwish",
        "applicant_date_of_birth": ["14", "3", "1984"],
        "applicant_sex": "male",
        **overrides,
    }


@pytest.mark.parametrize(
    ("arrival", "message"),
    [
        (["31", "12", "9999"], "Expected arrival date must be the same as or before"),
        ([FORTY_DIGITS, "1", "2027"], "Expected arrival date must be a real date"),
        (["1", "²", "2027"], "Expected arrival date must be a real date"),
        (["١", "1", "2027"], "Expected arrival date must be a real date"),
    ],
)
def test_an_arrival_date_out_of_its_window_is_refused(
    database: Any, caseworker_client: Any, arrival: list[str], message: str
) -> None:
    response = submit_form(caseworker_client, "/families/new", family_answers(arrival_date=arrival))
    html = refused(response, message)
    assert 'value="Darwish family"' in html and 'value="Omar Darwish"' in html  # the answers are kept
    assert count(database, Family) == 0


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (["31", "12", "1899"], "Date of birth must be the same as or after 1 January 1900"),
        (["1", "1", "2999"], "Date of birth must be today or in the past"),
    ],
)
def test_a_date_of_birth_is_after_1900_and_not_in_the_future(
    database: Any, caseworker_client: Any, born: list[str], message: str
) -> None:
    response = submit_form(caseworker_client, "/families/new", family_answers(applicant_date_of_birth=born))
    refused(response, message)
    assert count(database, Family) == 0


NEED = {"category": "esol", "priority": "3", "units": "1", "description": "Evening classes"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_distance_km", "inf", "Maximum distance must be a number of kilometres, like 5"),
        ("max_distance_km", "nan", "Maximum distance must be a number of kilometres, like 5"),
        ("max_distance_km", "1e400", "Maximum distance must be a number of kilometres, like 5"),
        ("max_distance_km", "1e309", "Maximum distance must be a number of kilometres, like 5"),
        ("max_distance_km", "1001", "Maximum distance must be 1,000 km or less"),
        ("max_distance_km", "٥", "Maximum distance must be a number of kilometres, like 5"),
        ("units", "²", "How many must be a whole number, like 2"),
        ("units", "٣", "How many must be a whole number, like 2"),
        ("units", FORTY_DIGITS, "How many must be a whole number, like 2"),
        ("units", "101", "How many must be between 1 and 100"),
        ("bedrooms_min", FORTY_DIGITS, "Minimum bedrooms must be a whole number, like 3"),
        ("bedrooms_min", "13", "Minimum bedrooms must be between 0 and 12"),
        ("rent_max", "inf", "Maximum rent must be an amount in pounds, like 1545.74"),
        ("rent_max", "1e309", "Maximum rent must be an amount in pounds, like 1545.74"),
        ("rent_max", "20000", "Maximum rent must be £10,000 or less"),
    ],
)
def test_need_numbers_are_finite_ascii_and_bounded(
    database: Any, caseworker_client: Any, field: str, value: str, message: str
) -> None:
    family = FamilyFactory()
    # The need form asks only the requirements of the need's category: bedrooms and rent belong to housing.
    need = {**NEED, "category": "housing"} if field in ("bedrooms_min", "rent_max") else NEED
    response = submit_form(caseworker_client, f"/families/{family.reference}/needs/new", {**need, field: value})
    html = refused(response, message)
    assert "Evening classes" in html
    assert count(database, Need) == 0


@pytest.mark.parametrize(
    ("rent", "message"),
    [
        ("inf", "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        ("nan", "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        ("1e309", "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        ("²", "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        ("١٢٠٠", "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        (FORTY_DIGITS, "The monthly rent must be an amount of money, like 1450 or 1450.50"),
        ("10000.01", "The monthly rent must be £10,000 or less"),
    ],
)
def test_an_offered_rent_is_a_finite_amount_of_money(database: Any, app: Flask, rent: str, message: str) -> None:
    from resettle.extensions import limiter

    limiter.reset()
    client = app.test_client()
    response = submit_form(client, "/offer/housing", {**HOUSING, "rent": rent})
    html = refused(response, message)
    assert "Flat 2, 48 Hither Green Lane" in html
    assert count(database, Offer) == 0


def test_bedrooms_written_in_arabic_indic_digits_get_the_fields_message(database: Any, app: Flask) -> None:
    response = submit_form(app.test_client(), "/offer/housing", {**HOUSING, "bedrooms": "٣"})
    refused(response, "The number of bedrooms must be a whole number")
    assert count(database, Offer) == 0


def test_nul_and_control_characters_are_dropped_from_text(database: Any, caseworker_client: Any) -> None:
    family = FamilyFactory()
    response = submit_form(
        caseworker_client,
        f"/families/{family.reference}/notes",
        {"body": "Called\x00 the school\x07.\nThey will ring back.\x1b[31m"},
    )
    assert response.status_code == 302
    note = database.session.execute(select(CaseNote)).scalar_one()
    assert note.body == "Called the school.\nThey will ring back.[31m"


def test_a_nul_byte_in_a_single_line_field_is_dropped(database: Any, caseworker_client: Any) -> None:
    response = submit_form(caseworker_client, "/families/new", family_answers(name="Dar\x00wish\tfamily"))
    assert response.status_code == 302
    assert database.session.execute(select(Family.name)).scalar_one() == "Darwish family"


@pytest.mark.parametrize(
    "query",
    [
        "date_to=9999-12-31",
        "date_from=0001-01-01&date_to=0001-01-01",
        "date_to=٢٠٢٦-01-01",
        f"page={FORTY_DIGITS}",
        "page=²",
        "actor_email=a%00b&object_id=%00",
    ],
)
def test_audit_filters_never_break(database: Any, admin_client: Any, query: str) -> None:
    response = admin_client.get(f"/admin/audit/?{query}")
    assert response.status_code == 200


def test_a_date_written_in_other_digits_gets_the_audit_filters_message(database: Any, admin_client: Any) -> None:
    html = admin_client.get("/admin/audit/?date_to=٢٠٢٦-01-01").get_data(as_text=True)
    assert "To date must be a real date, like 1/11/2026" in html


@pytest.mark.parametrize(
    "query",
    [f"page={FORTY_DIGITS}", "page=-5", "page=²", "caseworker=²", f"caseworker={FORTY_DIGITS}", "q=%00&status=%00"],
)
def test_family_list_query_strings_never_break(database: Any, caseworker_client: Any, query: str) -> None:
    assert caseworker_client.get(f"/families/?{query}").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/offers/{FORTY_DIGITS}",
        f"/tasks/{FORTY_DIGITS}/done",
        f"/funding/schemes/{FORTY_DIGITS}",
        f"/admin/users/{FORTY_DIGITS}/edit",
        "/offers/٣",
    ],
)
def test_a_forty_digit_id_in_a_url_is_not_found(database: Any, login_as: Any, path: str) -> None:
    client = login_as(Role.ADMIN)
    assert client.get(path).status_code == 404


def test_an_id_that_fits_still_finds_its_record(database: Any, caseworker_client: Any) -> None:
    offer = OfferFactory()
    assert caseworker_client.get(f"/offers/{offer.id}").status_code == 200


def test_services_refuse_out_of_range_values_from_any_caller(database: Any, caseworker_client: Any) -> None:
    from resettle.families.errors import FamilyError
    from resettle.families.needs import NeedDetails, raise_need
    from resettle.families.services import confirm_arrival

    family = FamilyFactory()
    for distance in (float("inf"), float("nan"), 1e309, 5000.0):
        with pytest.raises(FamilyError, match="Maximum distance must be 1,000 km or less"):
            raise_need(
                family, NeedDetails(category="esol", priority=3, max_distance_km=distance), None, date(2026, 11, 30)
            )
    with pytest.raises(FamilyError, match="Arrival date must be the same as or before"):
        confirm_arrival(family, date(9999, 12, 31), None)
    assert count(database, Need) == 0


def test_offer_services_refuse_numbers_and_dates_out_of_bounds(database: Any) -> None:
    from resettle.offers.services import OfferError, check_dates, check_numbers

    # Not an ORM object: PostgreSQL would refuse this rent in the integer column before the service could.
    with pytest.raises(OfferError, match="The monthly rent must be £10,000 or less"):
        check_numbers(SimpleNamespace(rent_pence=10**12))
    with pytest.raises(OfferError, match="The capacity must be between 1 and 500"):
        check_numbers(SimpleNamespace(capacity=int("1" * 40)))
    with pytest.raises(OfferError, match="The date it is available until must be the same as or before"):
        check_dates(None, date(9999, 12, 31), date(2026, 11, 30))


def test_every_form_in_the_app_cleans_its_input(app: Flask) -> None:
    """Every HTML form derives from BoundedForm, so no form can miss the control-character filter."""
    import flask_wtf

    def subclasses(cls: type) -> list[type]:
        return [cls, *[sub for direct in cls.__subclasses__() for sub in subclasses(direct)]]

    forms = [cls for cls in subclasses(flask_wtf.FlaskForm) if cls.__module__.startswith("resettle.")]
    assert len(forms) > 30
    assert [cls.__qualname__ for cls in forms if not issubclass(cls, BoundedForm)] == []
