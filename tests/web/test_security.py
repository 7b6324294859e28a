"""Security headers, cookies, error pages and configuration guards."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from resettle import create_app
from resettle.auth.models import Role
from resettle.config import ProductionConfig, normalise_database_url


def test_pages_carry_security_headers_with_a_fresh_nonce(client: FlaskClient) -> None:
    first = client.get("/login")
    second = client.get("/login")
    csp = first.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in first.get_data(as_text=True)  # the GOV.UK template's inline script
    assert nonce not in second.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Frame-Options"] == "DENY"
    assert first.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    response = client.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY must be set"):
        create_app(ProductionConfig)


def test_production_cookies_are_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 48)
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app(ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_database_urls_always_name_the_driver() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unknown_page_is_a_govuk_404_and_api_errors_are_json(client: FlaskClient) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.get_json() == {"code": 404, "status": "error", "message": "Not found.", "errors": {}}


def test_health_check_is_public(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_pages_have_a_skip_link_and_no_crown(client: FlaskClient, database: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert 'href="#main-content"' in page
    assert "govuk-logo" not in page and "crown" not in page.lower()
    assert "Resettle" in page


def test_only_the_most_specific_navigation_item_is_current(login_as: Any) -> None:
    page = login_as(Role.CASEWORKER).get("/matching/gaps").get_data(as_text=True)
    active_item = r'govuk-service-navigation__item--active">\s*<a[^>]*>\s*(?:<strong[^>]*>)?\s*([^<]+?)\s*<'
    current = re.findall(active_item, page)
    assert current == ["Gaps"]


def test_error_pages_have_govuk_headings_without_full_stops(client: FlaskClient) -> None:
    page = client.get("/no-such-page").get_data(as_text=True)
    assert "<title>Page not found – Resettle</title>" in page
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in page


def test_a_two_sentence_message_is_a_heading_and_a_paragraph(app: Any) -> None:
    from resettle.web.errors import error_response

    with app.test_request_context("/families/"):
        response, status = error_response(500, "Sorry, there is a problem with the service. Try again later.")
    page = response.get_data(as_text=True)
    assert status == 500
    assert '<h1 class="govuk-heading-l">Sorry, there is a problem with the service</h1>' in page
    assert '<p class="govuk-body">Try again later.</p>' in page
