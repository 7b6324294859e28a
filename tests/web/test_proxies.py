"""Trusted proxy hops: with none configured, X-Forwarded-For is ignored (anyone can send it); with the README's
TLS proxy configured as one hop, rate limits, sign-in throttling, sessions and audit rows see the real client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from resettle import create_app
from resettle.audit.models import AuditEvent
from resettle.auth.models import Role, UserSession
from resettle.config import TestConfig
from resettle.extensions import db
from resettle.web.proxies import trust_proxies
from tests.conftest import submit_form
from tests.factories import DEFAULT_PASSWORD, UserFactory

PROXY = "10.0.0.1"


def _behind_proxy(app: Flask, forwarded_for: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for})
    return client


def _login(client: FlaskClient, email: str, password: str = "") -> Any:
    password = password or "not " + DEFAULT_PASSWORD
    return submit_form(client, "/login", {"email": email, "password": password})


@pytest.fixture
def one_trusted_hop(app: Flask) -> Iterator[None]:
    original = app.wsgi_app
    trust_proxies(app, 1)
    yield
    app.wsgi_app = original  # type: ignore[method-assign]


def _audit_addresses(email: str) -> list[str | None]:
    rows = db.session.execute(select(AuditEvent.ip_address).where(AuditEvent.actor_email == email))
    return list(rows.scalars())


def test_without_trusted_hops_forwarded_for_is_ignored(app: Flask, database: Any) -> None:
    statuses = [
        _login(_behind_proxy(app, f"198.51.100.{n}"), f"guess{n}@council.example").status_code for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]  # every "different" client is the one address it really is
    assert _audit_addresses("guess0@council.example") == [PROXY]


def test_with_one_trusted_hop_each_client_has_its_own_address(app: Flask, database: Any, one_trusted_hop: None) -> None:
    noisy = _behind_proxy(app, "198.51.100.1")
    statuses = [_login(noisy, f"guess{n}@council.example").status_code for n in range(11)]
    assert statuses == [200] * 10 + [429]
    colleague = _behind_proxy(app, "198.51.100.2")
    assert _login(colleague, "someone@council.example").status_code == 200  # not blocked by the noisy client
    assert _audit_addresses("guess0@council.example") == ["198.51.100.1"]
    assert _audit_addresses("someone@council.example") == ["198.51.100.2"]


def test_with_one_trusted_hop_a_spoofed_header_only_adds_an_untrusted_entry(
    app: Flask, database: Any, one_trusted_hop: None
) -> None:
    # The client sent "X-Forwarded-For: 203.0.113.99"; the proxy appended the address it saw.
    client = _behind_proxy(app, "203.0.113.99, 198.51.100.7")
    _login(client, "spoof@council.example")
    assert _audit_addresses("spoof@council.example") == ["198.51.100.7"]


def test_with_one_trusted_hop_a_guesser_pauses_only_their_own_address(
    app: Flask, database: Any, one_trusted_hop: None
) -> None:
    victim = UserFactory(role=Role.REVIEWER)
    guesser = _behind_proxy(app, "198.51.100.66")
    for n in range(6):
        _login(guesser, victim.email, f"guess {n}")
    assert "too many attempts" in _login(guesser, victim.email, DEFAULT_PASSWORD).get_data(as_text=True)
    victim_browser = _behind_proxy(app, "198.51.100.20")
    assert _login(victim_browser, victim.email, DEFAULT_PASSWORD).status_code == 302
    recorded = db.session.execute(select(UserSession.ip_address).where(UserSession.user_id == victim.id)).scalars()
    assert list(recorded) == ["198.51.100.20"]


def test_the_factory_applies_the_configured_hops_and_refuses_nonsense() -> None:
    class OneHop(TestConfig):
        TRUSTED_PROXY_HOPS = "1"

    app = create_app(OneHop)
    assert isinstance(app.wsgi_app, ProxyFix) and app.wsgi_app.x_for == 1 and app.wsgi_app.x_proto == 1
    assert not isinstance(create_app(TestConfig).wsgi_app, ProxyFix)  # off by default
    for bad in ("-1", "two", "9"):

        class Bad(TestConfig):
            TRUSTED_PROXY_HOPS = bad

        with pytest.raises(RuntimeError, match="TRUSTED_PROXY_HOPS"):
            create_app(Bad)
