"""API clients for tests: a Flask test client that sends a real personal token, made by the real service."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from resettle.api.models import TokenScope
from resettle.api.tokens import create_token
from resettle.auth.models import Role, User
from resettle.extensions import db
from tests.factories import UserFactory


def token_secret(user: User, scope: TokenScope = TokenScope.READ_WRITE, days: int = 90) -> str:
    """A new token's secret, committed as the factories commit, so a refused request's rollback keeps it."""
    secret = create_token(user, "Test token", scope, days).secret
    db.session.commit()
    return secret


def api_client(app: Flask, user: User, scope: TokenScope = TokenScope.READ_WRITE) -> FlaskClient:
    """A client whose every request carries `Authorization: Bearer` with a new token of `user`."""
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token_secret(user, scope)}"
    client.user = user  # type: ignore[attr-defined]
    return client


def api_client_as(app: Flask, role: Role, scope: TokenScope = TokenScope.READ_WRITE, **user_fields: Any) -> FlaskClient:
    return api_client(app, UserFactory(role=role, **user_fields), scope)
