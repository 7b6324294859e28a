"""Search on the matching proposals and the spend lists: by family reference (or name, for a caseworker the
family is open to), offer reference and item; the search stays in pagination links and CSV downloads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.db import utcnow
from resettle.families.models import FamilyStatus
from resettle.funding.spend_models import SpendStatus
from resettle.taxonomy import Category
from tests.families.factories import FamilyFactory, NeedFactory
from tests.funding.factories import SpendLineFactory
from tests.matching.factories import MatchRunFactory, ProposalFactory
from tests.offers.factories import GoodsOfferFactory, OfferFactory


def test_proposals_are_found_by_family_offer_and_item(database: Any, login_as: Any) -> None:
    caseworker = login_as(Role.CASEWORKER)
    run = MatchRunFactory()
    mine = FamilyFactory(name="Haddad family", caseworker=caseworker.user, status=FamilyStatus.ARRIVED)
    other = FamilyFactory(name="Karimi family", status=FamilyStatus.ARRIVED)
    bed_need = NeedFactory(family=mine, category=Category.FURNITURE, item="bed")
    beds = GoodsOfferFactory(status="verified", item_lines=[("bed", 1)])
    ProposalFactory(run=run, need=bed_need, offer=beds, offer_item=beds.items[0])
    esol = ProposalFactory(run=run, need=NeedFactory(family=other, category=Category.ESOL))

    def rows(query: str) -> str:
        return caseworker.get(f"/matching/?q={query}").get_data(as_text=True)

    assert beds.reference in rows("haddad") and esol.offer.reference not in rows("haddad")
    assert esol.offer.reference in rows(other.reference.lower())
    assert "No proposal waiting for a decision matches this search." in rows("karimi")  # not their family
    assert beds.reference in rows("bed") and esol.offer.reference not in rows("bed")
    assert esol.offer.reference in rows("esol") and beds.reference not in rows("esol")
    assert esol.offer.reference in rows(esol.offer.reference)
    assert "No proposal" in rows("100%25")  # a literal percent sign, not a wildcard

    page = rows("bed")
    assert 'href="/matching/proposals.csv?q=bed"' in page
    export = caseworker.get("/matching/proposals.csv?q=bed")
    text = export.get_data(as_text=True)
    assert export.mimetype == "text/csv" and beds.reference in text and esol.offer.reference not in text
    assert "Haddad family" in text
    assert database.session.execute(
        select(AuditEvent.action).where(AuditEvent.action == "proposals_exported")
    ).scalar_one()


def test_spend_lists_and_the_queue_are_searched_and_exported(database: Any, login_as: Any) -> None:
    caseworker = login_as(Role.CASEWORKER)
    reviewer = login_as(Role.REVIEWER)
    mine = FamilyFactory(name="Haddad family", caseworker=caseworker.user, status=FamilyStatus.ARRIVED)
    fridge = SpendLineFactory(
        family=mine, item_description="Fridge-freezer", status=SpendStatus.SUBMITTED, submitted_at=utcnow()
    )
    cooker = SpendLineFactory(item_description="Gas cooker", status=SpendStatus.SUBMITTED, submitted_at=utcnow())
    for _ in range(26):
        SpendLineFactory(family=mine, item_description="Bus pass", status=SpendStatus.DRAFT)

    listed = caseworker.get("/funding/spend?q=fridge").get_data(as_text=True)
    assert fridge.reference in listed and cooker.reference not in listed
    assert "of 27 spend lines" in caseworker.get("/funding/spend?q=haddad").get_data(as_text=True)
    assert cooker.reference in caseworker.get(f"/funding/spend?q={cooker.family.reference}").get_data(as_text=True)
    assert cooker.reference in caseworker.get(f"/funding/spend?q={cooker.reference}").get_data(as_text=True)

    passes = caseworker.get("/funding/spend?q=bus+pass").get_data(as_text=True)
    assert "Showing 1 to 25 of 26 spend lines" in passes
    assert "/funding/spend?q=bus+pass&amp;page=2" in passes
    assert 'href="/funding/spend.csv?q=bus+pass"' in passes
    export = caseworker.get("/funding/spend.csv?q=bus+pass").get_data(as_text=True)
    assert export.count("Bus pass") == 26 and "Fridge" not in export

    queue = reviewer.get("/funding/review?status=submitted&search=cooker").get_data(as_text=True)
    assert cooker.reference in queue and fridge.reference not in queue
    assert "Haddad family" not in reviewer.get("/funding/review?status=submitted&search=haddad").get_data(as_text=True)
    assert 'href="/funding/review.csv?status=submitted&amp;search=cooker"' in queue
    queue_csv = reviewer.get("/funding/review.csv?status=submitted&search=cooker").get_data(as_text=True)
    assert cooker.reference in queue_csv and fridge.reference not in queue_csv
    header = queue_csv.splitlines()[0].split(",")
    assert header[2] == "family_name" and queue_csv.splitlines()[1].split(",")[2] == ""


def test_offer_reference_finds_the_spend_of_its_match(database: Any, caseworker_client: Any) -> None:
    from tests.matching.factories import MatchFactory

    offer = OfferFactory(status="verified", category=Category.FURNITURE)
    match = MatchFactory(offer=offer, need=NeedFactory(category=Category.FURNITURE))
    line = SpendLineFactory(family=match.need.family, match=match, status=SpendStatus.COMMITTED)
    found = caseworker_client.get(f"/funding/spend?q={offer.reference}").get_data(as_text=True)
    assert line.reference in found
