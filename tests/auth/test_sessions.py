"""Server-side sessions: a copied cookie dies with its session; idle and absolute limits; signed in elsewhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from resettle.auth.models import Role, UserSession
from resettle.auth.services import set_password, update_user
from resettle.db import utcnow
from resettle.extensions import db
from tests.conftest import csrf_token_from, sign_in_as
from tests.factories import UserFactory


def _copy_cookie(app: Flask, source: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `source`'s session cookie."""
    cookie = source.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def _sign_out(client: FlaskClient) -> None:
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_cookie_copied_before_sign_out_is_refused_after_it(app: Flask, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    thief = _copy_cookie(app, client)
    assert thief.get("/").status_code == 200  # the copy works while the session is open
    _sign_out(client)
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    ended = db.session.execute(select(UserSession).where(UserSession.user_id == client.user.id)).scalar_one()
    assert ended.ended_at is not None and ended.end_reason == "signed out"


def test_a_session_used_every_twenty_minutes_ends_at_the_absolute_lifetime(app: Flask, login_as: Any) -> None:
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        client = login_as(Role.REVIEWER)
        elapsed = timedelta(0)
        while elapsed + timedelta(minutes=20) < timedelta(hours=12):
            traveller.shift(timedelta(minutes=20))
            elapsed += timedelta(minutes=20)
            assert client.get("/").status_code == 200, f"refused after {elapsed}"
        traveller.shift(timedelta(minutes=20))  # now past 12 hours since sign-in
        response = client.get("/")
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "You were signed out because you signed in more than 12 hours ago" in page


def test_absolute_lifetime_is_configurable(app: Flask, login_as: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "SESSION_ABSOLUTE_HOURS", 1)
    start = utcnow()
    with time_machine.travel(start, tick=False) as traveller:
        client = login_as(Role.REVIEWER)
        for _ in range(2):
            traveller.shift(timedelta(minutes=25))
            assert client.get("/").status_code == 200
        traveller.shift(timedelta(minutes=25))  # 75 minutes after sign-in, 25 after last use
        assert client.get("/").status_code == 302


def test_changing_the_password_ends_every_session(app: Flask, login_as: Any) -> None:
    client = login_as(Role.CASEWORKER)
    other = sign_in_as(app.test_client(), client.user)
    set_password(client.user, "a fresh long passphrase for tests")
    db.session.commit()
    assert client.get("/").status_code == 302
    assert other.get("/").status_code == 302


def test_deactivation_and_role_change_end_sessions(app: Flask, login_as: Any) -> None:
    admin = UserFactory(role=Role.ADMIN)
    demoted = login_as(Role.REVIEWER)
    update_user(demoted.user, demoted.user.name, Role.REVIEWER, True, admin)  # no change: session stays
    db.session.commit()
    assert demoted.get("/").status_code == 200
    left = login_as(Role.REVIEWER)
    update_user(left.user, left.user.name, Role.REVIEWER, False, admin)
    db.session.commit()
    assert left.get("/").status_code == 302
    promoted = login_as(Role.CASEWORKER)
    update_user(promoted.user, promoted.user.name, Role.REVIEWER, True, admin)
    db.session.commit()
    assert promoted.get("/").status_code == 302
    reasons = set(db.session.execute(select(UserSession.end_reason).where(UserSession.ended_at.is_not(None))).scalars())
    assert reasons == {"account deactivated", "role changed"}


def test_signed_in_elsewhere_lists_sessions_and_ends_one(app: Flask, login_as: Any) -> None:
    laptop = login_as(Role.CASEWORKER)
    phone = app.test_client()
    phone.environ_base.update(
        {
            "REMOTE_ADDR": "203.0.113.9",
            "HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Safari/604.1",
        }
    )
    with app.test_request_context(
        environ_base={"REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": phone.environ_base["HTTP_USER_AGENT"]}
    ):
        sign_in_as(phone, laptop.user)
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Safari on iPhone" in page
    assert "203.0.113.9" in page
    assert "This browser" in page
    phone_session = db.session.execute(select(UserSession).where(UserSession.ip_address == "203.0.113.9")).scalar_one()
    token = csrf_token_from(page)
    response = laptop.post(f"/account/sessions/{phone_session.public_id}/end", data={"csrf_token": token})
    assert response.status_code == 302
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert "203.0.113.9" not in laptop.get("/account/sessions").get_data(as_text=True)


def test_a_user_cannot_end_someone_elses_session(app: Flask, login_as: Any) -> None:
    victim = login_as(Role.CASEWORKER)
    attacker = login_as(Role.CASEWORKER)
    victim_session = db.session.execute(select(UserSession).where(UserSession.user_id == victim.user.id)).scalar_one()
    token = csrf_token_from(attacker.get("/account/sessions").get_data(as_text=True))
    response = attacker.post(f"/account/sessions/{victim_session.public_id}/end", data={"csrf_token": token})
    assert response.status_code == 404
    assert victim.get("/").status_code == 200


def test_sign_out_everywhere_else_keeps_this_session(app: Flask, login_as: Any) -> None:
    here = login_as(Role.ADMIN)
    elsewhere = [sign_in_as(app.test_client(), here.user) for _ in range(2)]
    token = csrf_token_from(here.get("/account/sessions").get_data(as_text=True))
    response = here.post("/account/sessions/end-others", data={"csrf_token": token}, follow_redirects=True)
    assert "You have been signed out everywhere else" in response.get_data(as_text=True)
    assert [client.get("/").status_code for client in elsewhere] == [302, 302]
    assert here.get("/").status_code == 200


def test_the_cookie_holds_only_a_random_session_id(app: Flask, login_as: Any) -> None:
    client = login_as(Role.REVIEWER)
    with client.session_transaction() as session:
        user_id = session["_user_id"]
    assert user_id == client.session_token
    assert str(client.user.id) != user_id and client.user.email not in user_id
    stored = db.session.execute(select(UserSession.token_hash)).scalar_one()
    assert stored != user_id  # only a hash of it is kept
