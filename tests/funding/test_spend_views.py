"""The spend pages: a caseworker records spend, uploads a receipt and submits it; a reviewer approves,
rejects, decides in bulk and exports a claim batch. Reviewers' pages show no names, addresses or health."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.models import Family
from resettle.funding.claims import CLAIM_CSV_HEADER
from resettle.funding.spend_models import SpendLine, SpendStatus
from tests.conftest import csrf_token_from, submit_form
from tests.families.factories import HealthNoteFactory
from tests.funding.conftest import PDF


@pytest.fixture(autouse=True)
def in_july_2017(time_machine: Any) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)


def spend_form(config: dict[str, Any], family: Family, code: str = "fridge", pounds: str = "329.00") -> dict:
    return {
        "family": family.reference,
        "need": "",
        "expense_category": str(config["categories"][code].id),
        "item_description": "Fridge-freezer",
        "amount": pounds,
        "payee": "Catford Electricals",
        "spend_date": ["20", "6", "2017"],
        "stream": str(config["streams"]["vprs-core"].id),
        "agreement_reference": "",
    }


def post_with_token(client: Any, page_url: str, url: str, data: dict, **kwargs: Any) -> Any:
    token = csrf_token_from(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def submitted_line(
    config: dict[str, Any], family: Family, caseworker: Any, code: str = "fridge", pounds: str = "329.00"
) -> SpendLine:
    response = submit_form(caseworker, "/funding/spend/new", spend_form(config, family, code, pounds))
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    public_id = url.rsplit("/", 1)[1]
    uploaded = post_with_token(
        caseworker,
        url,
        f"{url}/receipts",
        {"receipt": (io.BytesIO(PDF), "receipt.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    assert post_with_token(caseworker, url, f"{url}/submit", {}).status_code == 302
    return db.session.execute(select(SpendLine).where(SpendLine.public_id == public_id)).scalar_one()


def test_caseworker_records_spend_and_a_reviewer_approves_it(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    assert (line.status, line.amount_pence, len(line.receipts)) == (SpendStatus.SUBMITTED, 32_900, 1)
    queue = reviewer_client.get("/funding/review").get_data(as_text=True)
    assert line.reference in queue
    page_url = f"/funding/spend/{line.public_id}"
    response = post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""})
    assert response.status_code == 302
    assert line.status is SpendStatus.APPROVED


def test_a_blocked_item_is_refused_beside_the_field_and_nothing_is_saved(
    config: dict[str, Any], family: Family, caseworker_client: Any, database: Any
) -> None:
    response = submit_form(caseworker_client, "/funding/spend/new", spend_form(config, family, code="television"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Television cannot be paid for from VPRS funds" in page
    assert "govuk-error-summary" in page
    assert 'value="Catford Electricals"' in page  # the answers are kept
    assert database.session.execute(select(SpendLine)).first() is None


def test_impossible_amounts_and_dates_get_govuk_messages(
    config: dict[str, Any], family: Family, caseworker_client: Any
) -> None:
    data = {**spend_form(config, family, pounds="12.345"), "spend_date": ["31", "2", "2017"]}
    page = submit_form(caseworker_client, "/funding/spend/new", data).get_data(as_text=True)
    assert "Enter an amount in pounds and pence, like 149.99" in page
    assert "Date of purchase must be a real date" in page


def test_rejecting_needs_a_reason(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page_url = f"/funding/spend/{line.public_id}"
    refused = post_with_token(reviewer_client, page_url, f"{page_url}/reject", {"reason": ""})
    assert "Enter the reason for rejecting this spend" in refused.get_data(as_text=True)
    assert line.status is SpendStatus.SUBMITTED
    rejected = post_with_token(reviewer_client, page_url, f"{page_url}/reject", {"reason": "Second quote, please"})
    assert rejected.status_code == 302
    assert line.status is SpendStatus.REJECTED


def test_a_needs_approval_item_shows_why_it_was_not_approved(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client, code="computer", pounds="499")
    page_url = f"/funding/spend/{line.public_id}"
    page = post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""}).get_data(as_text=True)
    assert "Enter a note saying why Computer or laptop is approved" in page
    assert line.status is SpendStatus.SUBMITTED


def test_bulk_decisions_report_each_line(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    fridge = submitted_line(config, family, caseworker_client)
    laptop = submitted_line(config, family, caseworker_client, code="computer", pounds="499")
    response = post_with_token(
        reviewer_client,
        "/funding/review",
        "/funding/review/bulk",
        {"line": [fridge.public_id, laptop.public_id], "decision": "approve", "text": ""},
    )
    page = response.get_data(as_text=True)
    assert "1 line approved" in page and "1 left waiting" in page
    assert (fridge.status, laptop.status) == (SpendStatus.APPROVED, SpendStatus.SUBMITTED)


def test_reviewers_see_no_names_addresses_or_health(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    HealthNoteFactory(family=family, body="Needs insulin daily")
    line = submitted_line(config, family, caseworker_client)
    pages = [
        reviewer_client.get(url).get_data(as_text=True)
        for url in (
            "/funding/review",
            f"/funding/spend/{line.public_id}",
            "/funding/budgets",
            f"/funding/families/{family.reference}/budgets",
        )
    ]
    for page in pages:
        assert family.reference in page
        for private in (family.name, family.address_line_1, family.postcode, "insulin"):
            assert private not in page
    assert family.name in caseworker_client.get(f"/funding/spend/{line.public_id}").get_data(as_text=True)


def test_reviewer_exports_a_claim_batch_as_csv(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page_url = f"/funding/spend/{line.public_id}"
    post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""})
    answers = {"scheme": str(config["schemes"]["VPRS"].id), "period_end": ["30", "6", "2017"]}
    preview = submit_form(reviewer_client, "/funding/claims", answers).get_data(as_text=True)
    assert "Check the claim before creating it" in preview and line.reference in preview
    assert "1 approved spend line for VPRS, £329.00 in all" in preview
    assert line.status is SpendStatus.APPROVED  # nothing is claimed by the preview

    # Confirming what was not previewed (another line approved since) shows the preview again.
    stale = submit_form(reviewer_client, "/funding/claims", {**answers, "previewed": "0:0", "confirm": "y"})
    assert "The approved spend changed since the preview" in stale.get_data(as_text=True)
    assert line.status is SpendStatus.APPROVED

    created = submit_form(reviewer_client, "/funding/claims", {**answers, "previewed": "1:32900", "confirm": "y"})
    assert created.status_code == 302
    assert line.status is SpendStatus.CLAIMED
    listing = reviewer_client.get("/funding/claims").get_data(as_text=True)
    assert "VPRS-20170630-001" in listing
    response = reviewer_client.get(f"/funding/claims/{line.claim_batch.public_id}.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == CLAIM_CSV_HEADER
    assert rows[1][:4] == ["VPRS-20170630-001", "VPRS", line.reference, family.reference]
    assert rows[1][CLAIM_CSV_HEADER.index("amount_gbp")] == "329.00"


def test_dashboard_draws_charts_with_a_table_of_the_same_figures(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page_url = f"/funding/spend/{line.public_id}"
    post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""})
    page = reviewer_client.get("/funding/review/dashboard").get_data(as_text=True)
    assert page.count("<svg") == 3 and 'aria-hidden="true"' in page
    assert "June 2017" in page and "£329.00" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_budget_pages_show_allocated_spent_and_warnings(config: dict[str, Any], family: Family, login_as: Any) -> None:
    page = login_as(Role.CASEWORKER).get(f"/funding/families/{family.reference}/budgets").get_data(as_text=True)
    assert "£25,560.00" in page  # three people at £8,520
    assert "Within budget" in page


def test_the_family_page_shows_its_funding(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    submitted_line(config, family, caseworker_client)
    page = reviewer_client.get(f"/families/{family.reference}").get_data(as_text=True)
    assert "Core tariff spent (£25,560.00 left of £25,560.00, within budget)" in page
    assert "Waiting for review" in page and "£329.00" in page


def test_a_rejected_line_is_corrected_and_goes_back_to_draft(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page_url = f"/funding/spend/{line.public_id}"
    post_with_token(reviewer_client, page_url, f"{page_url}/reject", {"reason": "Wrong amount"})
    edit_url = f"{page_url}/edit"
    assert 'value="329.00"' in caseworker_client.get(edit_url).get_data(as_text=True)
    response = submit_form(caseworker_client, edit_url, spend_form(config, family, pounds="299.00"))
    assert response.status_code == 302
    assert (line.status, line.amount_pence) == (SpendStatus.DRAFT, 29_900)
    receipt = line.receipts[0]
    removed = post_with_token(caseworker_client, page_url, f"/funding/receipts/{receipt.public_id}/remove", {})
    assert removed.status_code == 302 and line.receipts == []
    refused = post_with_token(caseworker_client, page_url, f"{page_url}/submit", {})
    assert "Upload at least one receipt before submitting" in refused.get_data(as_text=True)


def test_an_approved_line_can_no_longer_be_changed(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page_url = f"/funding/spend/{line.public_id}"
    post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""})
    response = caseworker_client.get(f"{page_url}/edit", follow_redirects=True)
    assert "is approved and can no longer be changed" in response.get_data(as_text=True)
    listing = caseworker_client.get("/funding/spend?status=approved").get_data(as_text=True)
    assert line.reference in listing
    assert line.reference not in caseworker_client.get("/funding/spend?status=draft").get_data(as_text=True)


def test_the_review_queue_filters(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    fridge = submitted_line(config, family, caseworker_client)
    laptop = submitted_line(config, family, caseworker_client, code="computer", pounds="499")
    needing = reviewer_client.get("/funding/review?status=submitted&needs_approval=y").get_data(as_text=True)
    assert laptop.reference in needing and fridge.reference not in needing
    other_family = reviewer_client.get("/funding/review?status=submitted&family=ZZZZ-ZZZZ-ZZZZ")
    assert "No spend matches these filters" in other_family.get_data(as_text=True)
    own_family = reviewer_client.get(f"/funding/review?status=&family={family.reference}").get_data(as_text=True)
    assert fridge.reference in own_family and laptop.reference in own_family


def test_a_line_without_a_home_office_agreement_says_not_given(
    config: dict[str, Any], family: Family, caseworker_client: Any
) -> None:
    line = submitted_line(config, family, caseworker_client)
    page = caseworker_client.get(f"/funding/spend/{line.public_id}").get_data(as_text=True)
    assert "Home Office agreement" in page and "None" not in page


def test_a_purchase_dated_in_the_future_is_refused(
    config: dict[str, Any], family: Family, caseworker_client: Any, database: Any
) -> None:
    data = {**spend_form(config, family), "spend_date": ["1", "1", "2099"]}
    page = submit_form(caseworker_client, "/funding/spend/new", data).get_data(as_text=True)
    assert page.count("Date of purchase must be today or in the past") == 2  # the summary and beside the field
    assert database.session.execute(select(SpendLine)).first() is None


def test_the_pools_table_is_not_titled_twice(config: dict[str, Any], login_as: Any) -> None:
    page = login_as(Role.CASEWORKER).get("/funding/budgets").get_data(as_text=True)
    assert page.count("Council pools") == 2  # the heading, and the table's caption for screen readers
    assert '<caption class="govuk-table__caption govuk-visually-hidden">Council pools</caption>' in page


def test_approving_spend_for_a_need_asks_whether_it_is_met(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    from resettle.families.models import NeedStatus
    from resettle.taxonomy import Category
    from tests.families.factories import NeedFactory

    fridge = NeedFactory(family=family, category=Category.FURNITURE, item="fridge", status=NeedStatus.MATCHED)
    line = submitted_line(config, family, caseworker_client)
    line.need = fridge
    db.session.flush()
    page_url = f"/funding/spend/{line.public_id}"
    page = reviewer_client.get(page_url).get_data(as_text=True)
    assert "This spend is for the need ‘Furniture and white goods: Fridge or fridge-freezer’. Is it now met?" in page
    assert 'value="yes" checked' in page  # the spend bought what the need asks for

    refused = post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": ""})
    assert "Select whether the need" in refused.get_data(as_text=True)
    assert line.status is SpendStatus.SUBMITTED

    approved = post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": "", "need_met": "yes"})
    assert approved.status_code == 302
    assert line.status is SpendStatus.APPROVED and fridge.status is NeedStatus.MET


def test_a_need_stays_open_when_the_reviewer_says_it_is_not_met(
    config: dict[str, Any], family: Family, caseworker_client: Any, reviewer_client: Any
) -> None:
    from resettle.families.models import NeedStatus
    from resettle.taxonomy import Category
    from tests.families.factories import NeedFactory

    beds = NeedFactory(family=family, category=Category.FURNITURE, item="bed", units=4)
    line = submitted_line(config, family, caseworker_client)  # a fridge, not beds
    line.need = beds
    db.session.flush()
    page_url = f"/funding/spend/{line.public_id}"
    assert 'value="no" checked' in reviewer_client.get(page_url).get_data(as_text=True)
    approved = post_with_token(reviewer_client, page_url, f"{page_url}/approve", {"note": "", "need_met": "no"})
    assert approved.status_code == 302 and beds.status is NeedStatus.OPEN


def test_spend_sent_twice_with_one_key_is_recorded_once(
    config: dict[str, Any], family: Family, caseworker_client: Any, database: Any
) -> None:
    from tests.operations.test_double_submit import _post_twice

    first, second = _post_twice(caseworker_client, "/funding/spend/new", spend_form(config, family))
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert len(database.session.execute(select(SpendLine)).scalars().all()) == 1
