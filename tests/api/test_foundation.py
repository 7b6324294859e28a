"""The API's foundation: tokens, no cookies, one error shape, rate limits, the document and the docs page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.api.models import ApiToken, TokenScope
from resettle.api.pagination import decode_cursor, encode_cursor, keyset_page
from resettle.api.tokens import MAX_EXPIRY_DAYS, create_token, hash_secret, revoke_token
from resettle.audit.models import AuditEvent
from resettle.auth.models import Role, User
from resettle.db import utcnow
from tests.api.clients import api_client, token_secret
from tests.conftest import csrf_token_from
from tests.factories import UserFactory


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _is_error_shape(body: Any, status: int) -> bool:
    return (
        isinstance(body, dict)
        and body.get("code") == status
        and body.get("status") == "error"
        and isinstance(body.get("message"), str)
        and isinstance(body.get("errors"), dict)
    )


def test_the_document_is_public_openapi_3_without_cookies(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token: rst_...",
    }
    assert "Set-Cookie" not in response.headers
    operation_ids = [
        op["operationId"] for path in document["paths"].values() for op in path.values() if "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids are unique"
    assert "/api/v1/token" in document["paths"]


def test_without_a_token_the_api_answers_401_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/token")
    assert response.status_code == 401
    assert _is_error_shape(response.get_json(), 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer rst_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "rst_only", "Bearer " + "x" * 5000],
)
def test_a_bad_token_answers_401_json(client: FlaskClient, header: str) -> None:
    response = client.get("/api/v1/token", headers={"Authorization": header})
    assert response.status_code == 401
    assert _is_error_shape(response.get_json(), 401)


def test_a_token_acts_as_its_owner_and_notes_when_it_was_used(app: Flask, database: Any) -> None:
    user = UserFactory(role=Role.REVIEWER, name="Priya Patel")
    secret = token_secret(user, TokenScope.READ)
    response = app.test_client().get("/api/v1/token", headers=_bearer(secret))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["owner"] == {"name": "Priya Patel", "email": user.email, "role": "reviewer"}
    assert body["scope"] == "read"
    assert "Set-Cookie" not in response.headers
    token = database.session.execute(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret))).scalar_one()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_secret_is_stored(app: Flask, database: Any) -> None:
    user = UserFactory()
    made = create_token(user, "Export", TokenScope.READ, 30)
    assert made.secret.startswith("rst_") and len(made.secret) >= 40
    stored = database.session.get(ApiToken, made.token.id)
    assert made.secret not in (stored.token_hash, stored.hint, stored.name)
    assert stored.token_hash == hash_secret(made.secret)
    assert stored.role == Role.CASEWORKER


def test_the_session_cookie_is_neither_read_nor_set_under_the_api(login_as: Any) -> None:
    browser = login_as(Role.ADMIN)
    assert browser.get("/account").status_code == 200  # signed in for the pages
    response = browser.get("/api/v1/token")
    assert response.status_code == 401  # the cookie does not sign anyone in to the API
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_read_only_token_cannot_change_anything(app: Flask, database: Any) -> None:
    client = api_client(app, UserFactory(role=Role.ADMIN), TokenScope.READ)
    response = client.post("/api/v1/token", json={})
    assert response.status_code == 403
    assert "only read" in response.get_json()["message"]


def test_expired_revoked_role_changed_or_deactivated_tokens_stop_working(app: Flask, database: Any) -> None:
    client = app.test_client()
    expiring = UserFactory()
    expiring_secret = token_secret(expiring, days=30)
    with time_machine.travel(utcnow() + timedelta(days=31), tick=False):
        assert client.get("/api/v1/token", headers=_bearer(expiring_secret)).status_code == 401

    revoked = UserFactory()
    made = create_token(revoked, "Old", TokenScope.READ, 30)
    assert revoke_token(revoked, made.token.public_id)
    assert client.get("/api/v1/token", headers=_bearer(made.secret)).status_code == 401

    promoted = UserFactory(role=Role.REVIEWER)
    promoted_secret = token_secret(promoted)
    promoted.role = Role.ADMIN
    database.session.flush()
    assert client.get("/api/v1/token", headers=_bearer(promoted_secret)).status_code == 401

    leaver = UserFactory()
    leaver_secret = token_secret(leaver)
    leaver.is_active_account = False
    database.session.flush()
    assert client.get("/api/v1/token", headers=_bearer(leaver_secret)).status_code == 401


def test_someone_elses_token_cannot_be_revoked(database: Any) -> None:
    owner, other = UserFactory(), UserFactory()
    made = create_token(owner, "Mine", TokenScope.READ, 30)
    assert not revoke_token(other, made.token.public_id)
    assert made.token.revoked_at is None


def test_errors_under_the_api_are_json_and_pages_keep_their_own(caseworker_client: FlaskClient) -> None:
    for method, path, status in [("get", "/api/v1/nowhere", 404), ("delete", "/api/v1/token", 405)]:
        response = getattr(caseworker_client, method)(path)
        # The access gate runs only for known routes; unknown ones are 404/405 whatever the token.
        assert response.status_code == status
        assert response.mimetype == "application/json"
        assert _is_error_shape(response.get_json(), status)
    page = caseworker_client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "govuk-heading" in page.get_data(as_text=True)


def test_the_api_is_rate_limited_per_token(app: Flask, database: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    first = api_client(app, UserFactory())
    second = api_client(app, UserFactory())
    assert [first.get("/api/v1/token").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/token")
    assert refused.status_code == 429
    assert _is_error_shape(refused.get_json(), 429)
    assert second.get("/api/v1/token").status_code == 200  # another token has its own allowance


def test_owners_create_list_and_revoke_tokens_in_the_pages(login_as: Any, database: Any) -> None:
    browser = login_as(Role.CASEWORKER)
    form = browser.get("/account/api-tokens/new")
    assert form.status_code == 200
    refused = browser.post(
        "/account/api-tokens/new",
        data={"csrf_token": csrf_token_from(form.get_data(as_text=True)), "name": "", "scope": "read"},
    )
    assert refused.status_code == 200 and "Enter a name for the token" in refused.get_data(as_text=True)
    created = browser.post(
        "/account/api-tokens/new",
        data={
            "csrf_token": csrf_token_from(form.get_data(as_text=True)),
            "name": "Finance export",
            "scope": "read_write",
            "expires_in_days": "365",
        },
    )
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "Copy the token now" in page
    assert created.headers["Cache-Control"] == "no-store"
    token = database.session.execute(select(ApiToken).where(ApiToken.user_id == browser.user.id)).scalar_one()
    secret = page.split('value="rst_', 1)[1].split('"', 1)[0]
    assert token.token_hash == hash_secret("rst_" + secret)
    assert token.expires_at - token.created_at == timedelta(days=MAX_EXPIRY_DAYS)

    listing = browser.get("/account/api-tokens").get_data(as_text=True)
    assert "Finance export" in listing and "Never" in listing and "rst_" + secret not in listing

    revoke = browser.post(
        f"/account/api-tokens/{token.public_id}/revoke", data={"csrf_token": csrf_token_from(listing)}
    )
    assert revoke.status_code == 302
    assert token.revoked_at is not None
    actions = database.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "user", AuditEvent.object_id == str(browser.user.id))
    ).scalars()
    assert {"api token created", "api token revoked"} <= set(actions)


def test_an_expiry_over_a_year_is_refused(login_as: Any, database: Any) -> None:
    browser = login_as(Role.REVIEWER)
    form = browser.get("/account/api-tokens/new").get_data(as_text=True)
    response = browser.post(
        "/account/api-tokens/new",
        data={"csrf_token": csrf_token_from(form), "name": "Forever", "scope": "read", "expires_in_days": "3650"},
    )
    assert response.status_code == 200
    assert database.session.execute(select(ApiToken)).first() is None


def test_the_docs_page_works_offline_under_the_csp(client: FlaskClient) -> None:
    response = client.get("/api-docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        "/assets/swagger-ui/swagger-ui-bundle.js" in page and "http" not in page.split("swagger-ui-bundle.js")[0][-40:]
    )
    nonce = response.headers["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<script nonce="{nonce}">' in page
    assert client.get("/assets/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_cursor_pages_go_through_every_record_once(database: Any) -> None:
    users = [UserFactory() for _ in range(7)]
    from sqlalchemy import desc

    statement = select(User).where(User.id.in_([user.id for user in users]))
    order = [desc(User.created_at), desc(User.id)]
    seen: list[int] = []
    cursor = None
    while True:
        page = keyset_page(statement, order, {"limit": 3, "cursor": cursor})
        seen += [user.id for user in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(user.id for user in users) and len(seen) == len(set(seen))


def test_a_cursor_not_made_here_is_a_422_on_cursor(app: Flask, database: Any) -> None:
    from werkzeug.exceptions import HTTPException

    assert decode_cursor(encode_cursor([1, "a"]), 2) == [1, "a"]
    for bad in ["%%%", encode_cursor([1]), encode_cursor([[1], 2]), "eyJ4IjoxfQ"]:
        with app.test_request_context("/api/v1/x"), pytest.raises(HTTPException) as refused:
            decode_cursor(bad, 2)
        assert refused.value.code == 422
        assert "cursor" in refused.value.data["errors"]  # type: ignore[attr-defined]
