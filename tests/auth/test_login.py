"""Signing in and out through the real form: messages, throttling, lockout, idle expiry and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.audit.models import AuditEvent
from resettle.auth.models import Role, User
from resettle.db import utcnow
from resettle.extensions import db
from tests.conftest import complete_second_step, csrf_token_from, submit_form
from tests.factories import DEFAULT_PASSWORD, UserFactory

WRONG = "Enter a correct email address and password"
THROTTLED = "There have been too many attempts to sign in with this email address"


def _audit_actions(email: str) -> list[str]:
    rows = db.session.execute(select(AuditEvent.action).where(AuditEvent.actor_email == email).order_by(AuditEvent.id))
    return list(rows.scalars())


def _sign_in(client: FlaskClient, email: str, password: str, **kwargs: Any) -> Any:
    """The password step, then (for accounts with an authenticator app) the code step."""
    response = submit_form(client, "/login", {"email": email, "password": password}, **kwargs)
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        user = db.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one()
        response = complete_second_step(client, user, **kwargs)
    return response


def test_correct_password_signs_in_and_is_audited(client: FlaskClient) -> None:
    user = UserFactory(email="amira@council.example", name="Amira Haddad")
    response = _sign_in(client, "Amira@Council.example ", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert "Hello, Amira Haddad" in home.get_data(as_text=True)
    assert _audit_actions(user.email) == ["login"]
    assert user.last_login_at is not None


def test_wrong_password_keeps_the_email_shows_the_error_and_is_audited(client: FlaskClient) -> None:
    user = UserFactory(email="tom@council.example")
    response = _sign_in(client, "tom@council.example", "not the password")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page  # the error summary
    assert WRONG in page
    assert 'value="tom@council.example"' in page
    assert "not the password" not in page  # passwords are never echoed back
    assert _audit_actions(user.email) == ["login_failed"]
    assert client.get("/").status_code == 302


def test_unknown_email_gets_the_same_message_and_is_audited(client: FlaskClient) -> None:
    response = _sign_in(client, "nobody@council.example", "whatever password")
    assert WRONG in response.get_data(as_text=True)
    assert _audit_actions("nobody@council.example") == ["login_failed"]


def test_empty_form_shows_errors_beside_the_fields(client: FlaskClient) -> None:
    page = _sign_in(client, "", "").get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#email"' in page  # error summary links to the field


def test_deactivated_account_is_refused_with_a_clear_message(client: FlaskClient) -> None:
    user = UserFactory(email="left@council.example", is_active_account=False)
    page = _sign_in(client, user.email, DEFAULT_PASSWORD).get_data(as_text=True)
    assert "This account has been deactivated" in page
    assert _audit_actions(user.email) == ["login_refused_inactive"]
    assert client.get("/").status_code == 302


def test_five_wrong_passwords_pause_that_address_for_that_email_for_fifteen_minutes(client: FlaskClient) -> None:
    user = UserFactory(email="grace@council.example")
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            _sign_in(client, user.email, "wrong password")
        page = _sign_in(client, user.email, DEFAULT_PASSWORD).get_data(as_text=True)
        assert THROTTLED in page
        assert client.get("/").status_code == 302
        traveller.shift(timedelta(minutes=16))
        assert _sign_in(client, user.email, DEFAULT_PASSWORD).status_code == 302
        assert client.get("/").status_code == 200
    actions = _audit_actions(user.email)
    assert actions.count("login_failed") == 5
    assert "login_throttled" in actions
    assert actions[-1] == "login"


def test_login_posts_are_rate_limited_per_address(client: FlaskClient) -> None:
    statuses = [_sign_in(client, f"guess{n}@council.example", "wrong password").status_code for n in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    page = _sign_in(client, "guess@council.example", "wrong password").get_data(as_text=True)
    assert "Too many attempts" in page


def test_missing_csrf_token_gets_a_clear_page_not_an_error(client: FlaskClient) -> None:
    UserFactory(email="sam@council.example")
    client.get("/login")
    response = client.post("/login", data={"email": "sam@council.example", "password": DEFAULT_PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form has expired or could not be checked" in page
    assert "Traceback" not in page
    assert client.get("/").status_code == 302


def test_stale_csrf_token_gets_a_clear_page(client: FlaskClient) -> None:
    user = UserFactory(email="stale@council.example")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    with time_machine.travel(utcnow() + timedelta(hours=5)):
        response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_next_parameter_only_redirects_within_the_site(client: FlaskClient) -> None:
    user = UserFactory(email="next@council.example")
    response = submit_form(
        client, "/login?next=//evil.example/x", {"email": "next@council.example", "password": DEFAULT_PASSWORD}
    )
    assert complete_second_step(client, user).headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))})
    response = submit_form(
        client, "/login?next=/admin/audit/", {"email": "next@council.example", "password": DEFAULT_PASSWORD}
    )
    assert response.headers["Location"] == "/login/code"  # the next page waits for the second step
    assert complete_second_step(client, user).headers["Location"] == "/admin/audit/"


def test_signed_out_after_thirty_idle_minutes(login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    now = utcnow()
    with time_machine.travel(now, tick=False) as traveller:
        client.get("/")  # activity resets the idle clock
        traveller.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You were signed out because you were inactive for 30 minutes" in page


def test_sign_out_ends_the_session_and_is_audited(login_as: Any) -> None:
    client = login_as(Role.REVIEWER)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=True)
    assert "You have signed out" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert _audit_actions(client.user.email)[-1] == "logout"


def test_sign_out_needs_post(login_as: Any) -> None:
    client = login_as(Role.REVIEWER)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200
