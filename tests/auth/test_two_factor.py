"""TOTP second factor: required for administrators and caseworkers, optional for reviewers; set up with a QR code;
codes work once; recovery codes are shown once, stored hashed and work once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pyotp
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth import two_factor
from resettle.auth.models import RecoveryCode, Role, UserSession
from resettle.db import utcnow
from resettle.extensions import db
from tests.conftest import complete_second_step, csrf_token_from, submit_form, totp_code_for
from tests.factories import DEFAULT_PASSWORD, UserFactory

CODE_ERROR = "Enter the current code from your authenticator app, or an unused recovery code"


def _password_step(client: FlaskClient, email: str) -> Any:
    return submit_form(client, "/login", {"email": email, "password": DEFAULT_PASSWORD})


def _sessions_of(user: Any) -> list[UserSession]:
    return list(db.session.execute(select(UserSession).where(UserSession.user_id == user.id)).scalars())


def test_the_password_alone_opens_no_session_for_an_enrolled_account(client: FlaskClient) -> None:
    user = UserFactory(role=Role.CASEWORKER)
    response = _password_step(client, user.email)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302
    assert _sessions_of(user) == []
    page = submit_form(client, "/login/code", {"code": "000000"}).get_data(as_text=True)
    assert CODE_ERROR in page
    response = complete_second_step(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert len(_sessions_of(user)) == 1


def test_a_code_works_only_once(app: Flask, database: Any) -> None:
    user = UserFactory(role=Role.ADMIN)
    first, second = app.test_client(), app.test_client()
    with time_machine.travel(utcnow(), tick=False):
        code = totp_code_for(user)
        _password_step(first, user.email)
        assert submit_form(first, "/login/code", {"code": code}).status_code == 302
        _password_step(second, user.email)
        page = submit_form(second, "/login/code", {"code": code}).get_data(as_text=True)
    assert CODE_ERROR in page  # replayed within its 30 seconds
    assert second.get("/").status_code == 302


def test_codes_from_the_previous_and_next_step_are_accepted_and_older_ones_are_not(client: FlaskClient) -> None:
    user = UserFactory(role=Role.CASEWORKER)
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    with time_machine.travel(now, tick=False):
        _password_step(client, user.email)
        stale = totp.at(now - timedelta(seconds=90))
        assert CODE_ERROR in submit_form(client, "/login/code", {"code": stale}).get_data(as_text=True)
        drifted = totp.at(now - timedelta(seconds=30))
        assert submit_form(client, "/login/code", {"code": drifted}).status_code == 302


def test_five_wrong_codes_send_the_person_back_to_the_password(client: FlaskClient) -> None:
    user = UserFactory(role=Role.CASEWORKER)
    _password_step(client, user.email)
    for _ in range(4):
        assert CODE_ERROR in submit_form(client, "/login/code", {"code": "123456"}).get_data(as_text=True)
    response = submit_form(client, "/login/code", {"code": "123456"})
    assert "That code was wrong too many times." in response.get_data(as_text=True)
    assert "Enter your email address and password first" in client.get("/login/code").get_data(as_text=True)


def test_the_second_step_expires_after_five_minutes(client: FlaskClient) -> None:
    user = UserFactory(role=Role.CASEWORKER)
    now = utcnow()
    with time_machine.travel(now, tick=False) as traveller:
        _password_step(client, user.email)
        page = client.get("/login/code")
        traveller.shift(timedelta(minutes=6))
        token = csrf_token_from(page.get_data(as_text=True))
        response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now(), "csrf_token": token})
    assert "Enter your email address and password first" in response.get_data(as_text=True)
    assert _sessions_of(user) == []


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client: FlaskClient) -> None:
    page = client.get("/login/code").get_data(as_text=True)
    assert "Enter your email address and password first" in page
    assert 'name="code"' not in page


def _set_up(client: FlaskClient, user: Any) -> list[str]:
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    db.session.refresh(user)
    assert key == user.totp_secret and not user.totp_enabled
    wrong = submit_form(client, "/account/two-factor", {"code": "000000"}).get_data(as_text=True)
    assert "Enter the 6-digit code the app shows now" in wrong
    done = submit_form(client, "/account/two-factor", {"code": pyotp.TOTP(key).now()}).get_data(as_text=True)
    assert "This is the only time these codes are shown" in done
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done)


def test_an_administrator_without_two_factor_must_set_it_up_before_anything_else(app: Flask, database: Any) -> None:
    admin = UserFactory(role=Role.ADMIN, totp_secret=None, totp_enabled_at=None)
    client = app.test_client()
    response = _password_step(client, admin.email)
    assert response.headers["Location"] == "/account/two-factor"
    for path in ("/", "/admin/users/", "/account"):
        assert client.get(path).headers["Location"] == "/account/two-factor", path
    codes = _set_up(client, admin)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(admin)
    assert admin.totp_enabled
    assert client.get("/admin/users/").status_code == 200
    stored = db.session.execute(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == admin.id)).scalars()
    stored = list(stored)
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes} and not set(stored) & set(codes)


def test_a_recovery_code_signs_in_once(app: Flask, database: Any) -> None:
    user = UserFactory(role=Role.CASEWORKER)
    codes = two_factor.new_recovery_codes(user)
    db.session.commit()
    client = app.test_client()
    _password_step(client, user.email)
    assert submit_form(client, "/login/code", {"code": codes[0].upper()}).headers["Location"] == "/"
    again = app.test_client()
    _password_step(again, user.email)
    assert CODE_ERROR in submit_form(again, "/login/code", {"code": codes[0]}).get_data(as_text=True)
    assert submit_form(again, "/login/code", {"code": codes[1]}).status_code == 302
    account = again.get("/account").get_data(as_text=True)
    assert "You have 8 unused recovery codes" in account


def test_new_recovery_codes_replace_the_old_ones(login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    old = two_factor.new_recovery_codes(client.user)
    db.session.commit()
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    page = client.post("/account/two-factor/recovery-codes", data={"csrf_token": token}).get_data(as_text=True)
    assert "Your old recovery codes no longer work" in page
    assert not two_factor.use_recovery_code(client.user, old[0])


def test_two_factor_is_optional_for_reviewers(app: Flask, database: Any) -> None:
    reviewer = UserFactory(role=Role.REVIEWER)
    client = app.test_client()
    assert _password_step(client, reviewer.email).headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "It is optional for your role" in client.get("/account").get_data(as_text=True)
    _set_up(client, reviewer)
    client.post("/logout", data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))})
    assert _password_step(client, reviewer.email).headers["Location"] == "/login/code"
    complete_second_step(client, reviewer)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post("/account/two-factor/turn-off", data={"csrf_token": token}, follow_redirects=True)
    assert "Two-factor authentication is off" in response.get_data(as_text=True)
    db.session.refresh(reviewer)
    assert not reviewer.totp_enabled


def test_roles_that_need_two_factor_cannot_turn_it_off(login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post("/account/two-factor/turn-off", data={"csrf_token": token}, follow_redirects=True)
    assert "cannot be turned off" in response.get_data(as_text=True)
    db.session.refresh(client.user)
    assert client.user.totp_enabled


def test_two_factor_sign_ins_are_audited(client: FlaskClient) -> None:
    from resettle.audit.models import AuditEvent

    user = UserFactory(role=Role.CASEWORKER)
    _password_step(client, user.email)
    submit_form(client, "/login/code", {"code": "999999"})
    complete_second_step(client, user)
    actions = list(
        db.session.execute(
            select(AuditEvent.action, AuditEvent.summary).where(AuditEvent.object_id == str(user.id))
        ).all()
    )
    assert [a for a, _ in actions] == ["login_second_factor_failed", "login"]
    assert actions[-1][1] == "signed in with authenticator app"


def test_wrong_codes_count_like_wrong_passwords(client: FlaskClient) -> None:
    """Someone holding the password cannot try codes faster than passwords: five wrong codes pause the address."""
    user = UserFactory(role=Role.CASEWORKER)
    _password_step(client, user.email)
    for _ in range(5):
        submit_form(client, "/login/code", {"code": "123456"})
    db.session.refresh(user)
    assert user.failed_login_count == 5
    page = _password_step(client, user.email).get_data(as_text=True)
    assert "There have been too many attempts to sign in with this email address" in page


def test_an_administrator_can_remove_someone_elses_lost_authenticator(app: Flask, login_as: Any) -> None:
    admin = login_as(Role.ADMIN)
    person = login_as(Role.CASEWORKER)
    two_factor.new_recovery_codes(person.user)
    db.session.commit()
    page = admin.get(f"/admin/users/{person.user.id}/edit").get_data(as_text=True)
    assert "Remove their authenticator app" in page
    response = admin.post(f"/admin/users/{person.user.id}/reset-two-factor", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    db.session.refresh(person.user)
    assert not person.user.totp_enabled and two_factor.unused_recovery_code_count(person.user) == 0
    assert person.get("/").status_code == 302  # signed out everywhere
    fresh = app.test_client()
    assert _password_step(fresh, person.user.email).headers["Location"] == "/account/two-factor"
    own = admin.get(f"/admin/users/{admin.user.id}/edit").get_data(as_text=True)
    assert "Remove their authenticator app" not in own
    response = admin.post(
        f"/admin/users/{admin.user.id}/reset-two-factor",
        data={"csrf_token": csrf_token_from(own)},
        follow_redirects=True,
    )
    assert "Ask another administrator" in response.get_data(as_text=True)
    db.session.refresh(admin.user)
    assert admin.user.totp_enabled
