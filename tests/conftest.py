"""Fixtures: the app, an isolated database per test, a client, signed-in users of each role, a real SMTP server.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. Each test runs inside
a transaction that is rolled back afterwards; the app's own commits become savepoints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession

from resettle import create_app
from resettle.auth.models import Role, User
from resettle.config import TestConfig
from resettle.extensions import db, limiter
from tests.factories import UserFactory
from tests.smtp import SMTPServer

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


class IsolatedClient(FlaskClient):
    """Tests keep one app context open (for the database fixture), so requests share `g`. Drop what must
    not outlive a request (Flask-Login's cached user, Flask-WTF's CSRF token), as a real server would."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            g.__dict__.clear()
        # Buffered, the response is closed before `open` returns, as a server closes it once sent, so work the
        # app does after the response (sending email) has happened when the test looks.
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(smtp_server: SMTPServer) -> Iterator[Flask]:
    class Config(TestConfig):
        MAIL_SERVER = smtp_server.host
        MAIL_PORT = smtp_server.port
        # Parallel workers share one database, each in transactions it rolls back: each chains the audit log
        # under its own lock, so one test's open transaction never holds up another worker's.
        AUDIT_CHAIN_LOCK_KEY = 0x72657365 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0)

    app = create_app(Config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks an engine itself; in tests it must use the test's connection."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        return self.bind


@pytest.fixture
def database(app: Flask) -> Iterator[Any]:
    """An app context whose session is bound to a connection in a transaction that is rolled back."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original_session = db.session
        db.session = db._make_scoped_session(
            {"class_": _ConnectionBoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db
        finally:
            db.session.remove()
            db.session = original_session
            transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _reset_state(app: Flask, smtp_server: SMTPServer) -> Iterator[None]:
    limiter.reset()
    smtp_server.messages.clear()
    yield


@pytest.fixture
def client(app: Flask, database: Any) -> FlaskClient:
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def submit_form(
    client: FlaskClient, url: str, data: dict[str, Any], follow_redirects: bool = False, form_url: str | None = None
) -> Any:
    """Open the form page like a browser (for its CSRF token), then post the answers."""
    page = client.get(form_url or url)
    assert page.status_code == 200, f"{form_url or url} answered {page.status_code}"
    return client.post(
        url,
        data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
        follow_redirects=follow_redirects,
    )


def sign_in_as(client: FlaskClient, user: User) -> FlaskClient:
    """Sign in without the form, password and second factor (those are tested in tests/auth): open a
    server-side session for the user and give the client its cookie."""
    from resettle.auth.sessions import start_session

    token = start_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    client.session_token = token  # type: ignore[attr-defined]
    return client


def totp_code_for(user: User) -> str:
    """The authenticator code a test user's app would show now. Each code works once per account, so the
    account's record of the last step used is cleared first, as if 30 seconds had passed."""
    import pyotp

    from resettle.db import utcnow

    user.totp_last_step = None
    db.session.commit()
    return pyotp.TOTP(user.totp_secret).at(utcnow())


def complete_second_step(client: FlaskClient, user: User, follow_redirects: bool = False) -> Any:
    """After the password, enter the authenticator code on /login/code as the person would."""
    return submit_form(client, "/login/code", {"code": totp_code_for(user)}, follow_redirects=follow_redirects)


@pytest.fixture
def login_as(app: Flask, database: Any) -> Any:
    """`login_as(Role.CASEWORKER)` gives a client signed in as a new user of that role."""

    def make(role: Role, **user_fields: Any) -> FlaskClient:
        user = UserFactory(role=role, **user_fields)
        client = app.test_client()
        sign_in_as(client, user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def caseworker_client(login_as: Any) -> FlaskClient:
    return login_as(Role.CASEWORKER)


@pytest.fixture
def reviewer_client(login_as: Any) -> FlaskClient:
    return login_as(Role.REVIEWER)


@pytest.fixture
def admin_client(login_as: Any) -> FlaskClient:
    return login_as(Role.ADMIN)


# API clients: a real personal token of a new user of each role, sent as `Authorization: Bearer`.
@pytest.fixture
def caseworker_api(app: Flask, database: Any) -> FlaskClient:
    from tests.api.clients import api_client_as

    return api_client_as(app, Role.CASEWORKER)


@pytest.fixture
def reviewer_api(app: Flask, database: Any) -> FlaskClient:
    from tests.api.clients import api_client_as

    return api_client_as(app, Role.REVIEWER)


@pytest.fixture
def admin_api(app: Flask, database: Any) -> FlaskClient:
    from tests.api.clients import api_client_as

    return api_client_as(app, Role.ADMIN)
