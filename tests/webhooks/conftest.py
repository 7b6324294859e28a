"""Webhook fixtures: a partner's server, and short timeouts so a test never waits long."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from resettle.webhooks.models import EventKind, WebhookEndpoint
from resettle.webhooks.services import EndpointFields, register_endpoint
from tests.factories import UserFactory
from tests.webhooks.partner import PartnerServer


@pytest.fixture(autouse=True)
def short_timeouts(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT_SECONDS", 1)
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 4)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_BASE_SECONDS", 60)


@pytest.fixture
def partners() -> Iterator[Callable[..., PartnerServer]]:
    """`partners([500, 200])` starts a partner's server answering 500, then 200; all are closed afterwards."""
    started: list[PartnerServer] = []

    def start(answers: list[int | str] | None = None) -> PartnerServer:
        server = PartnerServer(answers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def register(database: Any) -> Callable[..., tuple[WebhookEndpoint, str]]:
    """Register an endpoint as an administrator would; returns it with its secret."""

    def make(url: str, events: list[EventKind] | None = None) -> tuple[WebhookEndpoint, str]:
        from resettle.auth.models import Role

        admin = UserFactory(role=Role.ADMIN)
        kinds = [kind.value for kind in (events or [EventKind.MATCH_ACCEPTED])]
        endpoint, secret = register_endpoint(EndpointFields(url, "Partner", kinds), admin)
        database.session.commit()
        return endpoint, secret

    return make
