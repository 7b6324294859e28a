"""The funding API with real tokens: a caseworker records spend, attaches a receipt and submits it; a reviewer
approves it (saying whether the need is met) and claims it; administrators change the configuration. Stale
writes get 412, decisions already made 409, refused rules 422, and each role only what the pages allow."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from resettle.auth.models import Role
from resettle.extensions import db
from resettle.families.models import Family, NeedStatus
from resettle.funding.spend_models import SpendStatus
from resettle.taxonomy import Category
from tests.api.clients import api_client
from tests.factories import UserFactory
from tests.families.factories import NeedFactory
from tests.funding.conftest import PDF


@pytest.fixture(autouse=True)
def in_july_2017(time_machine: Any) -> None:
    time_machine.move_to(datetime(2017, 7, 1, 12, tzinfo=UTC), tick=False)


def _client(app: Flask, role: Role) -> FlaskClient:
    """A client with a token; what the test set up so far is saved, as an error response rolls back."""
    client = api_client(app, UserFactory(role=role))
    db.session.commit()
    return client


def _spend(family: Family, **values: Any) -> dict[str, Any]:
    return {
        "family_reference": family.reference,
        "stream": "vprs-core",
        "expense_category": "fridge",
        "item_description": "A fridge",
        "amount_pence": 32_900,
        "payee": "Catford Electricals",
        "spend_date": "2017-06-20",
        **values,
    }


def _create(client: FlaskClient, body: dict[str, Any], key: str = "spend-line-key-0001") -> Any:
    return client.post("/api/v1/funding/spend-lines", json=body, headers={"Idempotency-Key": key})


def test_spend_goes_from_draft_to_approved_through_the_api(app: Flask, config: dict[str, Any], family: Family) -> None:
    need = NeedFactory(family=family, category=Category.FURNITURE, item="fridge")
    caseworker, reviewer = _client(app, Role.CASEWORKER), _client(app, Role.REVIEWER)

    created = _create(caseworker, _spend(family, need_id=need.id))
    assert created.status_code == 201, created.get_json()
    line = created.get_json()
    assert (line["status"], line["stream"], line["scheme"], line["family_reference"]) == (
        "draft",
        "vprs-core",
        "VPRS",
        family.reference,
    )
    url = f"/api/v1/funding/spend-lines/{line['public_id']}"
    assert _create(caseworker, _spend(family, need_id=need.id)).get_json()["public_id"] == line["public_id"]

    early = caseworker.post(f"{url}/submit")
    assert early.status_code == 422
    assert early.get_json()["errors"] == {"receipt": ["Upload at least one receipt before submitting"]}
    receipt = caseworker.post(
        f"{url}/receipts", data={"receipt": (io.BytesIO(PDF), "receipt.pdf")}, content_type="multipart/form-data"
    )
    assert receipt.status_code == 201 and receipt.get_json()["content_type"] == "application/pdf"
    assert caseworker.post(f"{url}/submit").get_json()["status"] == "submitted"

    assert reviewer.post(f"{url}/approve", json={}).get_json()["errors"] == {
        "need_met": [f"Select whether the need ({need.title}) is now met"]
    }
    approved = reviewer.post(f"{url}/approve", json={"need_met": True})
    assert approved.status_code == 200 and approved.get_json()["status"] == SpendStatus.APPROVED.value
    assert db.session.get(type(need), need.id).status is NeedStatus.MET
    again = reviewer.post(f"{url}/approve", json={"need_met": True})
    assert again.status_code == 409

    download = reviewer.get(f"/api/v1/funding/receipts/{receipt.get_json()['public_id']}")
    assert download.status_code == 200 and download.data == PDF


def test_a_stale_correction_is_refused_with_the_current_version(
    app: Flask, config: dict[str, Any], family: Family, time_machine: Any
) -> None:
    caseworker = _client(app, Role.CASEWORKER)
    line = _create(caseworker, _spend(family))
    url = f"/api/v1/funding/spend-lines/{line.get_json()['public_id']}"
    read = caseworker.get(url)
    etag = read.headers["ETag"]

    assert caseworker.patch(url, json={"amount_pence": 30_000}).status_code == 422  # If-Match is needed
    time_machine.shift(5)
    first = caseworker.patch(url, json={"amount_pence": 30_000}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.get_json()["amount_pence"] == 30_000
    assert first.headers["ETag"] != etag

    stale = caseworker.patch(url, json={"payee": "Someone else"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert caseworker.get(url).get_json()["payee"] == "Catford Electricals"


def test_refusals_name_their_fields(app: Flask, config: dict[str, Any], family: Family) -> None:
    caseworker = _client(app, Role.CASEWORKER)
    blocked = _create(caseworker, _spend(family, expense_category="television"))
    assert blocked.status_code == 422
    assert "donated one through an offer" in blocked.get_json()["errors"]["expense_category"][0]
    unknown = _create(caseworker, _spend(family, family_reference="RF-NOPE", stream="nope"), key="spend-line-key-2")
    assert unknown.get_json()["errors"] == {"family": ["Select the family"], "stream": ["Select a funding stream"]}


def test_reviewers_decide_and_claim_but_do_not_enter_spend(app: Flask, config: dict[str, Any], family: Family) -> None:
    caseworker, reviewer = _client(app, Role.CASEWORKER), _client(app, Role.REVIEWER)
    assert _create(reviewer, _spend(family)).status_code == 403
    url = f"/api/v1/funding/spend-lines/{_create(caseworker, _spend(family)).get_json()['public_id']}"
    caseworker.post(f"{url}/receipts", data={"receipt": (io.BytesIO(PDF), "r.pdf")}, content_type="multipart/form-data")
    caseworker.post(f"{url}/submit")
    assert caseworker.post(f"{url}/approve", json={}).status_code == 403
    reviewer.post(f"{url}/approve", json={})

    preview = reviewer.get("/api/v1/funding/claim-batches/preview?scheme=VPRS&period_end=2017-06-30").get_json()
    assert (preview["line_count"], preview["total_pence"], preview["fingerprint"]) == (1, 32_900, "1:32900")
    stale = reviewer.post(
        "/api/v1/funding/claim-batches",
        json={"scheme": "VPRS", "period_end": "2017-06-30", "fingerprint": "2:1"},
        headers={"Idempotency-Key": "claim-batch-key-0001"},
    )
    assert stale.status_code == 409 and "1:32900" in stale.get_json()["errors"]["fingerprint"][0]
    made = reviewer.post(
        "/api/v1/funding/claim-batches",
        json={"scheme": "VPRS", "period_end": "2017-06-30", "fingerprint": preview["fingerprint"]},
        headers={"Idempotency-Key": "claim-batch-key-0002"},
    )
    assert made.status_code == 201 and made.get_json()["line_count"] == 1
    csv = reviewer.get(f"/api/v1/funding/claim-batches/{made.get_json()['public_id']}/csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert family.reference in csv.get_data(as_text=True) and family.name not in csv.get_data(as_text=True)


def test_budgets_show_families_by_reference(app: Flask, config: dict[str, Any], family: Family) -> None:
    caseworker = _client(app, Role.CASEWORKER)
    page = caseworker.get("/api/v1/funding/budgets/families").get_json()
    [row] = page["items"]
    assert row["family_reference"] == family.reference
    core = next(budget for budget in row["budgets"] if budget["stream"] == "vprs-core")
    assert (core["allocated_pence"], core["remaining_pence"]) == (3 * 852_000, 3 * 852_000)
    assert caseworker.get(f"/api/v1/funding/budgets/families/{family.reference}").get_json() == row
    assert _client(app, Role.ADMIN).get("/api/v1/funding/budgets/families").status_code == 403


def test_administrators_change_the_configuration_and_everyone_reads_it(app: Flask, config: dict[str, Any]) -> None:
    admin, caseworker = _client(app, Role.ADMIN), _client(app, Role.CASEWORKER)
    scheme = admin.post(
        "/api/v1/funding/schemes",
        json={"code": "hkbno", "name": "Hong Kong BN(O) welcome programme"},
        headers={"Idempotency-Key": "scheme-key-000001"},
    )
    assert scheme.status_code == 201 and scheme.get_json()["code"] == "HKBNO"
    stream = admin.post(
        "/api/v1/funding/schemes/HKBNO/streams",
        json={"code": "hkbno-core", "name": "Core", "scope": "family", "categories": ["housing"]},
        headers={"Idempotency-Key": "stream-key-000001"},
    )
    assert stream.status_code == 422 and "effective_from" in stream.get_json()["errors"]
    stream = admin.post(
        "/api/v1/funding/schemes/HKBNO/streams",
        json={
            "code": "hkbno-core",
            "name": "Core",
            "scope": "family",
            "categories": ["housing"],
            "effective_from": "2017-04-01",
        },
        headers={"Idempotency-Key": "stream-key-000002"},
    )
    assert stream.status_code == 201
    rule = admin.post(
        "/api/v1/funding/streams/hkbno-core/rules",
        json={"basis": "per_household", "amount_pence": 100_000, "effective_from": "2017-04-01"},
        headers={"Idempotency-Key": "rule-key-00000001"},
    )
    assert rule.status_code == 201
    rule_url = f"/api/v1/funding/rules/{rule.get_json()['id']}"
    etag = caseworker.get(rule_url).headers["ETag"]
    changed = admin.patch(rule_url, json={"amount_pence": 120_000}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["amount_pence"] == 120_000
    assert admin.patch(rule_url, json={"amount_pence": 1}, headers={"If-Match": etag}).status_code == 412
    assert caseworker.patch(rule_url, json={"amount_pence": 1}, headers={"If-Match": etag}).status_code == 403

    scheme_url = "/api/v1/funding/schemes/HKBNO"
    read = caseworker.get(scheme_url)
    assert [s["code"] for s in read.get_json()["streams"]] == ["hkbno-core"]
    renamed = admin.patch(scheme_url, json={"name": "BN(O) programme"}, headers={"If-Match": read.headers["ETag"]})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "BN(O) programme"
    assert admin.patch(scheme_url, json={"notes": "x"}, headers={"If-Match": read.headers["ETag"]}).status_code == 412


def test_administrators_record_what_each_scheme_may_pay_for(app: Flask, config: dict[str, Any]) -> None:
    admin, reviewer = _client(app, Role.ADMIN), _client(app, Role.REVIEWER)
    made = admin.post(
        "/api/v1/funding/expense-categories",
        json={"code": "bike_repair", "label": "Bike repair", "category": "employment"},
        headers={"Idempotency-Key": "category-key-00001"},
    )
    assert made.status_code == 201 and made.get_json()["is_active"] is True
    cells = reviewer.get("/api/v1/funding/eligibility").get_json()
    cell = next(c for c in cells if c["scheme"] == "VPRS" and c["expense_category"] == "bike_repair")
    assert (cell["eligibility"], cell["recorded"]) == ("needs_approval", False)
    assert (
        reviewer.put("/api/v1/funding/eligibility/VPRS/bike_repair", json={"eligibility": "allowed"}).status_code == 403
    )
    recorded = admin.put("/api/v1/funding/eligibility/VPRS/bike_repair", json={"eligibility": "allowed"})
    assert recorded.get_json() == {
        "scheme": "VPRS",
        "expense_category": "bike_repair",
        "eligibility": "allowed",
        "recorded": True,
    }
    codes = [c["code"] for c in reviewer.get("/api/v1/funding/expense-categories").get_json()]
    assert "bike_repair" in codes
    duplicate = admin.post(
        "/api/v1/funding/expense-categories",
        json={"code": "bike_repair", "label": "Again", "category": "employment"},
        headers={"Idempotency-Key": "category-key-00002"},
    )
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_json()["errors"]["code"][0]


def test_a_receipt_is_removed_only_while_the_line_can_change(
    app: Flask, config: dict[str, Any], family: Family
) -> None:
    caseworker = _client(app, Role.CASEWORKER)
    url = f"/api/v1/funding/spend-lines/{_create(caseworker, _spend(family)).get_json()['public_id']}"
    upload = {"receipt": (io.BytesIO(PDF), "r.pdf")}
    first = caseworker.post(f"{url}/receipts", data=upload, content_type="multipart/form-data").get_json()
    assert caseworker.delete(f"/api/v1/funding/receipts/{first['public_id']}").status_code == 204
    assert caseworker.get(url).get_json()["receipts"] == []
    upload = {"receipt": (io.BytesIO(PDF), "r.pdf")}
    second = caseworker.post(f"{url}/receipts", data=upload, content_type="multipart/form-data").get_json()
    caseworker.post(f"{url}/submit")
    refused = caseworker.delete(f"/api/v1/funding/receipts/{second['public_id']}")
    assert refused.status_code == 409 and refused.get_json()["errors"]["receipt"][0].startswith("Receipts cannot")
