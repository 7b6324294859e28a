"""Administrators keep the funding rules as dated data: schemes, streams, amount rules, expense categories and
eligibility, each change audited; rules that would double-count are refused."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.funding.allocation import RuleBasis
from resettle.funding.config_services import FundingConfigError, RuleFields, create_rule
from resettle.funding.models import Eligibility, FundingStream, StreamScope
from resettle.funding.queries import eligibility_of
from tests.conftest import submit_form
from tests.funding.factories import AmountRuleFactory, FundingSchemeFactory, FundingStreamFactory


def test_an_overlapping_rule_for_the_same_people_is_refused(database: Any) -> None:
    rule = AmountRuleFactory(effective_from=date(2021, 1, 1), effective_to=None, age_min=5, age_max=18)
    overlapping = RuleFields(
        basis=RuleBasis.PER_PERSON, amount_pence=1, effective_from=date(2024, 4, 1), age_min=16, age_max=18
    )
    with pytest.raises(FundingConfigError) as refused:
        create_rule(rule.stream, overlapping)
    assert refused.value.field == "effective_from"
    rule.effective_to = date(2024, 3, 31)  # the finance lead ends the old rate first
    create_rule(rule.stream, overlapping)
    other_band = RuleFields(
        basis=RuleBasis.PER_PERSON, amount_pence=1, effective_from=date(2021, 1, 1), age_min=3, age_max=4
    )
    create_rule(rule.stream, other_band)
    assert len(rule.stream.rules) == 3


def test_a_fixed_council_amount_belongs_only_to_a_pool(database: Any) -> None:
    stream = FundingStreamFactory(scope=StreamScope.FAMILY)
    with pytest.raises(FundingConfigError, match="pooled stream"):
        create_rule(stream, RuleFields(RuleBasis.COUNCIL_FIXED, amount_pence=100, effective_from=date(2020, 1, 1)))


def test_admin_adds_a_stream_and_an_amount_through_the_pages(admin_client: Any, database: Any) -> None:
    scheme = FundingSchemeFactory(code="UKRS", name="UK Resettlement Scheme")
    response = submit_form(
        admin_client,
        f"/funding/schemes/{scheme.id}/streams/new",
        {
            "code": "ukrs-digital",
            "name": "Digital inclusion",
            "scope": "family",
            "categories": ["digital"],
            "effective_from": ["1", "4", "2026"],
            "source_ref": "Council decision 2026/41",
        },
    )
    assert response.status_code == 302
    stream = database.session.execute(select(FundingStream).where(FundingStream.code == "ukrs-digital")).scalar_one()
    assert [c.value for c in stream.categories] == ["digital"]
    response = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/rules/new",
        {
            "basis": "per_person",
            "amount": "150.00",
            "age_min": "11",
            "age_max": "18",
            "effective_from": ["1", "4", "2026"],
            "is_confirmed": "y",
        },
    )
    assert response.status_code == 302
    assert [(r.amount_pence, r.age_min, r.age_max) for r in stream.rules] == [(15_000, 11, 18)]
    page = admin_client.get(f"/funding/schemes/{scheme.id}").get_data(as_text=True)
    assert "Digital inclusion" in page and "£150.00" in page
    actions = set(database.session.execute(select(AuditEvent.action)).scalars())
    assert {"funding_stream_created", "funding_rule_created"} <= actions


def test_a_form_with_mistakes_keeps_the_answers(admin_client: Any, database: Any) -> None:
    stream = FundingStreamFactory()
    page = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/rules/new",
        {"basis": "per_person", "amount": "ten pounds", "effective_from": ["1", "13", "2026"]},
    ).get_data(as_text=True)
    assert "Enter an amount in pounds and pence, like 149.99" in page
    assert "For arrivals from must be a real date" in page
    assert 'value="ten pounds"' in page
    assert stream.rules == []


def test_ages_and_years_that_are_not_whole_numbers_get_govuk_messages(admin_client: Any, database: Any) -> None:
    stream = FundingStreamFactory()
    page = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/rules/new",
        {
            "basis": "per_person",
            "amount": "150.00",
            "age_min": "five",
            "age_max": "18.5",
            "support_year": "two",
            "effective_from": ["1", "4", "2026"],
        },
    ).get_data(as_text=True)
    assert "Not a valid" not in page
    for message in (
        "Youngest age must be a whole number",
        "Oldest age must be a whole number",
        "Year of support must be a whole number",
    ):
        assert page.count(message) == 2  # in the summary and beside the field
    assert 'value="five"' in page and 'value="18.5"' in page
    assert stream.rules == []


def test_an_optional_date_that_is_not_real_is_named_without_optional(admin_client: Any, database: Any) -> None:
    stream = FundingStreamFactory()
    page = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/rules/new",
        {
            "basis": "per_person",
            "amount": "150.00",
            "effective_from": ["1", "4", "2026"],
            "effective_to": ["31", "2", "2027"],
        },
    ).get_data(as_text=True)
    assert "For arrivals up to must be a real date" in page
    assert "(optional) must" not in page


def test_admin_changes_eligibility_and_it_is_audited(admin_client: Any, database: Any, config: dict[str, Any]) -> None:
    scheme, tablet = config["schemes"]["UKRS"], config["categories"]["tablet"]
    response = submit_form(
        admin_client,
        f"/funding/eligibility/{scheme.id}/{tablet.id}",
        {"eligibility": "allowed", "note": "UKRS FI 2025/26 annex B allows devices for school"},
    )
    assert response.status_code == 302
    assert eligibility_of(scheme.id, tablet.id) is Eligibility.ALLOWED
    assert eligibility_of(config["schemes"]["VPRS"].id, tablet.id) is Eligibility.NEEDS_APPROVAL
    entry = (
        database.session.execute(
            select(AuditEvent).where(AuditEvent.action == "funding_eligibility_set").order_by(AuditEvent.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry.summary == "tablet: needs_approval → allowed"


def test_everyone_on_the_staff_reads_the_rules_and_only_admins_see_edit_links(login_as: Any, config: dict) -> None:
    for role in (Role.CASEWORKER, Role.REVIEWER):
        page = login_as(role).get("/funding/eligibility").get_data(as_text=True)
        assert "Television" in page and "Blocked" in page and "/edit" not in page
    assert "/funding/expense-categories/new" in login_as(Role.ADMIN).get("/funding/eligibility").get_data(as_text=True)


def test_admin_adds_a_scheme_and_an_expense_category(admin_client: Any, database: Any) -> None:
    response = submit_form(
        admin_client,
        "/funding/schemes/new",
        {"code": "acrs", "name": "Afghan Citizens Resettlement Scheme", "funder": "Home Office", "notes": ""},
    )
    assert response.status_code == 302
    duplicate = submit_form(
        admin_client, "/funding/schemes/new", {"code": "ACRS", "name": "Again", "funder": "Home Office"}
    )
    assert "A scheme with the code ACRS already exists" in duplicate.get_data(as_text=True)
    response = submit_form(
        admin_client,
        "/funding/expense-categories/new",
        {"code": "sewing_machine", "label": "Sewing machine", "category": "household"},
    )
    assert response.status_code == 302
    page = admin_client.get("/funding/eligibility").get_data(as_text=True)
    assert "Sewing machine" in page and "ACRS" in page


def test_a_streams_scope_cannot_change_once_it_has_rules(admin_client: Any, database: Any) -> None:
    rule = AmountRuleFactory()
    stream = rule.stream
    response = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/edit",
        {"name": "Renamed", "scope": "pool", "categories": ["furniture"], "effective_from": ["1", "1", "2015"]},
    )
    assert "Scope cannot change once the stream has amount rules" in response.get_data(as_text=True)
    assert stream.scope is StreamScope.FAMILY
    response = submit_form(
        admin_client,
        f"/funding/streams/{stream.id}/edit",
        {
            "name": "Renamed",
            "scope": "family",
            "categories": ["furniture", "esol"],
            "effective_from": ["1", "1", "2015"],
            "effective_to": ["31", "3", "2030"],
        },
    )
    assert response.status_code == 302
    assert (stream.name, stream.effective_to, len(stream.categories)) == ("Renamed", date(2030, 3, 31), 2)
    response = submit_form(
        admin_client,
        f"/funding/rules/{rule.id}/edit",
        {"basis": "per_person", "amount": "8,520", "effective_from": ["1", "1", "2015"], "is_confirmed": "y"},
    )
    assert response.status_code == 302
    assert rule.amount_pence == 852_000


def test_a_scheme_without_streams_says_so_in_words(admin_client: Any, database: Any) -> None:
    scheme = FundingSchemeFactory()
    page = admin_client.get("/funding/schemes").get_data(as_text=True)
    assert scheme.name in page and "No streams yet" in page
    assert re.findall(r">\s*None\s*<", page) == []
