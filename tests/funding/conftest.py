"""Funding fixtures: the seeded configuration (domain.md §1), a family on it, and receipts kept in a temporary
folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from resettle.families.models import Family, FamilyStatus, Scheme
from resettle.funding.models import ExpenseCategory, FundingScheme, FundingStream
from resettle.funding.seed import load_funding_configuration
from tests.families.factories import FamilyFactory, MemberFactory

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def upload_folder(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def config(database: Any) -> dict[str, Any]:
    """The seeded schemes, streams by code and expense categories by code."""
    load_funding_configuration()
    session = database.session
    return {
        "schemes": {s.code: s for s in session.execute(database.select(FundingScheme)).scalars()},
        "streams": {s.code: s for s in session.execute(database.select(FundingStream)).scalars()},
        "categories": {c.code: c for c in session.execute(database.select(ExpenseCategory)).scalars()},
    }


def make_family(
    arrival: date = date(2017, 6, 1),
    scheme: Scheme = Scheme.VPRS,
    births: tuple[date, ...] = (date(1980, 1, 1), date(1984, 1, 1), date(2008, 1, 1)),
) -> Family:
    family = FamilyFactory(
        scheme=scheme, status=FamilyStatus.ARRIVED, arrival_date=arrival, referral_date=date(2017, 1, 1)
    )
    for index, birth in enumerate(births):
        MemberFactory(family=family, full_name=f"Member {index}", date_of_birth=birth)
    return family


@pytest.fixture
def family(config: dict[str, Any]) -> Family:
    """A VPRS family of two adults and a child aged 9 at arrival on 1 June 2017."""
    return make_family()


def commit_for_a_match(
    stream: FundingStream,
    family: Family,
    amount_pence: int,
    actor: Any,
    expense_category: ExpenseCategory,
    spend_date: date = date(2017, 6, 20),
) -> Any:
    """What accepting a paid match writes: a need, an offer, the match and its committed spend line."""
    from resettle.funding.spend_services import SpendFields, commit_spend_line
    from resettle.matching.models import Match, MatchStatus
    from resettle.offers.models import OfferStatus
    from tests.families.factories import NeedFactory
    from tests.offers.factories import OfferFactory

    need = NeedFactory(family=family, category=expense_category.category)
    offer = OfferFactory(category=expense_category.category, status=OfferStatus.MATCHED, cost_pence=amount_pence)
    match = Match(
        need=need,
        offer=offer,
        units=1,
        stream=stream,
        charge_pence=amount_pence,
        status=MatchStatus.ACCEPTED,
        accepted_by=actor,
    )
    return commit_spend_line(
        SpendFields(
            family=family,
            stream=stream,
            expense_category=expense_category,
            item_description="Matched offer",
            amount_pence=amount_pence,
            payee="Offerer",
            spend_date=spend_date,
            need=need,
        ),
        match,
        actor,
    )
