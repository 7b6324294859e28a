"""The administrator's webhook pages: registering (secret shown once), the addresses refused, delivery history,
disable, enable, test event and delete, each audited."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.errors import FieldError
from resettle.webhooks.addresses import check_url
from resettle.webhooks.delivery import deliver_pending_webhooks
from resettle.webhooks.models import EventKind, WebhookDelivery, WebhookEndpoint, WebhookEvent
from resettle.webhooks.services import record_event
from tests.conftest import csrf_token_from, submit_form


def _audit(database: Any, action: str) -> list[AuditEvent]:
    return list(database.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def _endpoints(database: Any) -> list[WebhookEndpoint]:
    return list(database.session.execute(select(WebhookEndpoint)).scalars())


def _post(client: FlaskClient, url: str, page: str) -> Any:
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_registering_shows_the_secret_once_and_audits(admin_client: FlaskClient, database: Any) -> None:
    response = submit_form(
        admin_client,
        "/admin/webhooks/new",
        {
            "url": " https://partner.example/resettle-events ",
            "description": "Refugee Action",
            "events": ["match.accepted", "offer.verified"],
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [endpoint] = _endpoints(database)
    secret = page.split('data-testid="webhook-secret">')[1].split("<")[0]
    assert secret.startswith("whsec_") and "only time the secret is shown" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert endpoint.url == "https://partner.example/resettle-events"
    assert endpoint.events == ["offer.verified", "match.accepted"] and endpoint.is_active
    assert endpoint.created_by == admin_client.user  # type: ignore[attr-defined]
    assert secret not in endpoint.secret_encrypted
    [entry] = _audit(database, "webhook_endpoint_registered")
    assert entry.object_id == endpoint.public_id and "partner.example" in entry.summary and secret not in entry.summary
    # Never shown again.
    for url in ("/admin/webhooks/", f"/admin/webhooks/{endpoint.public_id}"):
        later = admin_client.get(url).get_data(as_text=True)
        assert "partner.example/resettle-events" in later and secret not in later


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"url": "", "events": ["match.accepted"]}, "url", "Enter the web address that should receive events"),
        ({"url": "ftp://partner.example/x", "events": ["match.accepted"]}, "url", "Enter a full web address"),
        ({"url": "http://partner.example/x", "events": ["match.accepted"]}, "url", "must start with https://"),
        ({"url": "https://me:pw@partner.example/x", "events": ["match.accepted"]}, "url", "user name or password"),
        ({"url": "https://partner.example/x"}, "events", "Choose at least one event"),
        ({"url": "https://partner.example/x", "events": ["webhook.test"]}, "events", "Choose events from the list"),
        ({"url": "https://partner.example/" + "x" * 500, "events": ["match.accepted"]}, "url", "500 characters"),
    ],
)
def test_mistakes_are_shown_by_the_field_and_nothing_is_saved(
    admin_client: FlaskClient, database: Any, answers: dict[str, Any], field: str, message: str
) -> None:
    response = submit_form(admin_client, "/admin/webhooks/new", answers)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert f'id="{field}-error"' in page
    assert _endpoints(database) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.9/hook",
        "https://192.168.1.20/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://100.64.0.1/hook",
    ],
)
def test_in_production_only_public_https_addresses_may_be_registered(url: str) -> None:
    with pytest.raises(FieldError) as refused:
        check_url(url, allow_local=False)
    assert refused.value.field == "url"


def test_in_production_a_public_address_is_accepted() -> None:
    assert check_url("https://93.184.215.14/resettle", allow_local=False) == "https://93.184.215.14/resettle"


def test_in_development_plain_http_is_allowed_to_this_machine_only() -> None:
    assert check_url("http://127.0.0.1:8080/hook", allow_local=True) == "http://127.0.0.1:8080/hook"
    assert check_url("http://localhost/hook", allow_local=True) == "http://localhost/hook"
    with pytest.raises(FieldError):
        check_url("http://partner.example/hook", allow_local=True)


def test_the_production_setting_refuses_local_addresses_on_the_page(
    app: Flask, admin_client: FlaskClient, database: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOCAL", False)
    page = submit_form(
        admin_client, "/admin/webhooks/new", {"url": "https://169.254.169.254/latest", "events": ["match.accepted"]}
    ).get_data(as_text=True)
    assert "must be on the public internet" in page and _endpoints(database) == []


def test_history_disable_enable_test_and_delete(
    admin_client: FlaskClient, database: Any, partners: Any, register: Any
) -> None:
    partner = partners([500])
    endpoint, _ = register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 5)
    database.session.commit()
    deliver_pending_webhooks()
    page_url = f"/admin/webhooks/{endpoint.public_id}"

    page = admin_client.get(page_url).get_data(as_text=True)
    assert "match.accepted" in page and "HTTP 500" in page and "Waiting" in page
    delivery = database.session.execute(select(WebhookDelivery)).scalar_one()
    detail = admin_client.get(f"{page_url}/deliveries/{delivery.public_id}").get_data(as_text=True)
    assert "HTTP 500" in detail and '"match": "5"' in detail and "Next try" in detail
    assert "1 delivered" not in admin_client.get("/admin/webhooks/").get_data(as_text=True)

    assert _post(admin_client, f"{page_url}/test", page_url).status_code == 302
    test_event = database.session.execute(select(WebhookEvent).where(WebhookEvent.kind == "webhook.test")).scalar_one()
    assert test_event.data == {
        "endpoint": endpoint.public_id,
        "links": {"self": f"/api/v1/webhooks/endpoints/{endpoint.public_id}"},
    }
    assert deliver_pending_webhooks() == 1  # the test event; the failed one waits for its next try
    assert '"event":"webhook.test"' in partner.received[-1].body.decode()

    assert _post(admin_client, f"{page_url}/disable", page_url).status_code == 302
    assert endpoint.is_active is False
    assert "Disabled" in admin_client.get(page_url).get_data(as_text=True)
    assert _post(admin_client, f"{page_url}/enable", page_url).status_code == 302
    assert endpoint.is_active is True

    confirm = admin_client.get(f"{page_url}/delete").get_data(as_text=True)
    assert "Delete this webhook endpoint?" in confirm
    assert _post(admin_client, f"{page_url}/delete", f"{page_url}/delete").headers["Location"] == "/admin/webhooks/"
    assert _endpoints(database) == [] and database.session.execute(select(WebhookDelivery)).first() is None
    for action in (
        "webhook_test_event_sent",
        "webhook_endpoint_disabled",
        "webhook_endpoint_enabled",
        "webhook_endpoint_deleted",
    ):
        [entry] = _audit(database, action)
        assert entry.object_id == endpoint.public_id and entry.actor_id == admin_client.user.id
    assert admin_client.get(page_url).status_code == 404


def test_an_unknown_endpoint_or_delivery_is_not_found(admin_client: FlaskClient, register: Any) -> None:
    endpoint, _ = register("https://partner.example/x")
    assert admin_client.get("/admin/webhooks/not-an-endpoint").status_code == 404
    assert admin_client.get(f"/admin/webhooks/{endpoint.public_id}/deliveries/nope").status_code == 404
