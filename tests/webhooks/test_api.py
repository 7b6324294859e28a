"""/api/v1/webhooks: administrators list, register and delete endpoints and read deliveries; no one else may."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.api.models import TokenScope
from resettle.audit.models import AuditEvent
from resettle.auth.models import Role
from resettle.webhooks.delivery import deliver_pending_webhooks
from resettle.webhooks.models import EventKind, WebhookEndpoint
from resettle.webhooks.services import record_event
from resettle.webhooks.signing import decrypt_secret
from tests.api.clients import api_client_as

BASE = "/api/v1/webhooks/endpoints"


@pytest.fixture
def admin_api(app: Flask, database: Any) -> FlaskClient:
    client = api_client_as(app, Role.ADMIN)
    database.session.commit()
    return client


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_an_administrator_registers_lists_reads_and_deletes(admin_api: FlaskClient, database: Any) -> None:
    body = {"url": "https://partner.example/hook", "description": "Refugee Action", "events": ["match.accepted"]}
    headers = _key()
    created = admin_api.post(BASE, json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    answer = created.get_json()
    endpoint = database.session.execute(select(WebhookEndpoint)).scalar_one()
    assert answer["id"] == endpoint.public_id and answer["events"] == ["match.accepted"] and answer["active"]
    assert answer["secret"].startswith("whsec_") and decrypt_secret(endpoint.secret_encrypted) == answer["secret"]
    # The same request again: the same endpoint, and the secret is not shown a second time.
    again = admin_api.post(BASE, json=body, headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == endpoint.public_id
    assert "secret" not in again.get_json()
    assert len(database.session.execute(select(WebhookEndpoint)).all()) == 1

    listed = admin_api.get(BASE).get_json()
    assert [item["id"] for item in listed["items"]] == [endpoint.public_id] and listed["next_cursor"] is None
    assert "secret" not in listed["items"][0] and "secret_encrypted" not in listed["items"][0]
    assert admin_api.get(f"{BASE}/{endpoint.public_id}").get_json()["url"] == "https://partner.example/hook"

    assert admin_api.delete(f"{BASE}/{endpoint.public_id}").status_code == 204
    assert admin_api.get(f"{BASE}/{endpoint.public_id}").status_code == 404
    actions = database.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_id == endpoint.public_id)
    ).scalars()
    assert set(actions) >= {"webhook_endpoint_registered", "webhook_endpoint_deleted"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://partner.example/hook", "events": ["match.accepted"]}, "url"),
        ({"url": "https://partner.example/hook", "events": []}, "events"),
        ({"url": "https://partner.example/hook", "events": ["webhook.test"]}, "events"),
        ({"events": ["match.accepted"]}, "url"),
    ],
)
def test_refusals_are_422_by_field(admin_api: FlaskClient, database: Any, body: dict[str, Any], field: str) -> None:
    response = admin_api.post(BASE, json=body, headers=_key())
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert database.session.execute(select(WebhookEndpoint)).first() is None


def test_deliveries_are_listed_with_attempts_and_status(
    admin_api: FlaskClient, database: Any, partners: Any, register: Any
) -> None:
    partner = partners([500, 200])
    endpoint, _ = register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    record_event(EventKind.MATCH_ACCEPTED, 2)
    database.session.commit()
    deliver_pending_webhooks()  # the first is answered 500 (to be retried), the second 200
    answer = admin_api.get(f"{BASE}/{endpoint.public_id}/deliveries?limit=1").get_json()
    assert len(answer["items"]) == 1 and answer["next_cursor"]
    rest = admin_api.get(f"{BASE}/{endpoint.public_id}/deliveries?limit=1&cursor={answer['next_cursor']}").get_json()
    items = answer["items"] + rest["items"]
    assert {item["event"] for item in items} == {"match.accepted"}
    assert sorted((item["status"], item["attempts"], item["last_status_code"]) for item in items) == [
        ("delivered", 1, 200),
        ("pending", 1, 500),
    ]
    failed = admin_api.get(f"{BASE}/{endpoint.public_id}/deliveries?status=delivered").get_json()["items"]
    assert [item["status"] for item in failed] == ["delivered"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.REVIEWER])
def test_only_administrators(app: Flask, database: Any, role: Role, register: Any) -> None:
    endpoint, _ = register("https://partner.example/hook")
    client = api_client_as(app, role)
    database.session.commit()  # the token outlives the refused requests, which roll back
    for method, url in [
        ("get", BASE),
        ("post", BASE),
        ("get", f"{BASE}/{endpoint.public_id}"),
        ("delete", f"{BASE}/{endpoint.public_id}"),
        ("get", f"{BASE}/{endpoint.public_id}/deliveries"),
    ]:
        response = getattr(client, method)(url, json={}, headers=_key())
        assert response.status_code == 403, (method, url)
    assert app.test_client().get(BASE).status_code == 401


def test_a_read_only_token_cannot_register(app: Flask, database: Any) -> None:
    client = api_client_as(app, Role.ADMIN, TokenScope.READ)
    database.session.commit()
    body = {"url": "https://partner.example/hook", "events": ["match.accepted"]}
    assert client.post(BASE, json=body, headers=_key()).status_code == 403
    assert client.get(BASE).status_code == 200
