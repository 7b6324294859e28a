"""Family search finds text anywhere in a reference, a family name, a postcode or a member's name, ignoring case,
on SQLite and PostgreSQL; on PostgreSQL the trigram indexes serve it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from resettle.extensions import db
from resettle.families.models import Member
from resettle.families.queries import FamilyFilters, family_list_query
from resettle.web.estimates import Explain
from tests.families.factories import FamilyFactory, MemberFactory
from tests.postgres import IS_POSTGRESQL


def _found(term: str) -> list[str]:
    statement = family_list_query(FamilyFilters(search=term))
    return sorted(family.name for family in db.session.execute(statement).scalars())


@pytest.fixture
def families(database: Any) -> None:
    mansour = FamilyFactory(name="Mansour", postcode="SE13 6AA", reference="FAM-7K2Q9")
    MemberFactory(family=mansour, full_name="Amira Mansour")
    MemberFactory(family=mansour, full_name="Karim Mansour")
    haddad = FamilyFactory(name="Haddad", postcode="E1 7QX", reference="FAM-3XW8M")
    MemberFactory(family=haddad, full_name="Layla Haddad")
    FamilyFactory(name="100% Smith_Jones", postcode="N1 9GU", reference="FAM-PPP11")
    db.session.flush()


@pytest.mark.usefixtures("families")
@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("mansour", ["Mansour"]),  # the name, and two members: the family once
        ("LAYLA", ["Haddad"]),  # a member's name, any case
        ("ayl", ["Haddad"]),  # part of a word
        ("13 6a", ["Mansour"]),  # part of a postcode
        ("3xw8", ["Haddad"]),  # part of a reference
        ("  amira  ", ["Mansour"]),  # spaces around are ignored
        ("100%", ["100% Smith_Jones"]),  # % and _ are themselves, not wildcards
        ("s_ith", []),  # as a wildcard, _ would match the m of Smith
        ("h_j", ["100% Smith_Jones"]),
        ("%", ["100% Smith_Jones"]),
        ("_", ["100% Smith_Jones"]),
        ("zzz", []),
    ],
)
def test_search_finds_text_anywhere_ignoring_case(term: str, expected: list[str]) -> None:
    assert _found(term) == expected


@pytest.mark.usefixtures("families")
def test_the_search_page_lists_the_family_once(caseworker_client: Any) -> None:
    html = caseworker_client.get("/families/?q=mansour").get_data(as_text=True)
    assert html.count("FAM-7K2Q9") >= 1
    assert "FAM-3XW8M" not in html


@pytest.mark.skipif(not IS_POSTGRESQL, reason="trigram indexes are PostgreSQL's")
@pytest.mark.usefixtures("families")
def test_postgresql_searches_through_the_trigram_indexes() -> None:
    # Enough members for the planner to prefer the index to reading the table (statistics taken).
    members = Member.__table__
    layla = dict(db.session.execute(select(members).where(members.c.full_name == "Layla Haddad")).mappings().one())
    del layla["id"]
    db.session.execute(insert(members), [{**layla, "full_name": f"Person {n}"} for n in range(5000)])
    db.session.execute(text("SELECT gin_clean_pending_list('ix_family_members_full_name_trgm'::regclass)"))
    db.session.execute(text("ANALYZE families"))
    db.session.execute(text("ANALYZE family_members"))
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # three families: the planner would read them all
    plan = json.dumps(db.session.execute(Explain(family_list_query(FamilyFilters(search="mansour")))).scalar_one())
    for index in ("ix_families_name_trgm", "ix_families_postcode_trgm", "ix_family_members_full_name_trgm"):
        assert index in plan, plan
