"""Twenty wrong passwords at the same moment, in twenty threads with their own database sessions and real
commits: every one is counted and the address is paused. Runs on its own PostgreSQL database."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from resettle.auth import services, throttle
from resettle.auth.models import LoginThrottle, Role, User
from resettle.auth.passwords import hash_password
from resettle.auth.services import SignInOutcome, authenticate
from resettle.extensions import db
from tests.postgres import IS_POSTGRESQL, scratch_app, wait_for_each_other_after

pytestmark = [pytest.mark.postgres_only, pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL")]

THREADS = 20
ATTACKER = "198.51.100.66"


@pytest.fixture
def race_app() -> Iterator[Flask]:
    with scratch_app("login_race") as app:
        yield app


def test_twenty_concurrent_wrong_passwords_are_all_counted(race_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with race_app.app_context():
        user = User(email="target@council.example", name="Target", role=Role.CASEWORKER)
        user.password_hash = hash_password("the right passphrase here")
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    # Every thread reads the account and its counters before any of them writes.
    wait_for_each_other_after(monkeypatch, services, "verify_password", parties=THREADS)
    outcomes: list[SignInOutcome] = []
    errors: list[BaseException] = []

    def guess(n: int) -> None:
        with race_app.test_request_context(environ_base={"REMOTE_ADDR": ATTACKER}):
            try:
                result = authenticate("target@council.example", f"wrong guess {n}", ATTACKER)
                db.session.commit()
                outcomes.append(result.outcome)
            except BaseException as error:  # noqa: BLE001 (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(outcomes) == THREADS
    # Threads slower than the others may already find the address paused; every guess that was judged wrong
    # must be counted, however many raced.
    judged = outcomes.count(SignInOutcome.BAD_CREDENTIALS)
    assert judged >= race_app.config["LOGIN_MAX_FAILURES"]
    with race_app.app_context():
        assert db.session.get(User, user_id).failed_login_count == judged
        overall = db.session.get(LoginThrottle, throttle.email_key("target@council.example"))
        assert overall.failures == judged
        pair = db.session.get(LoginThrottle, throttle.pair_key("target@council.example", ATTACKER))
        assert pair.blocked_until is not None
        with race_app.test_request_context():
            after = authenticate("target@council.example", "the right passphrase here", ATTACKER)
        assert after.outcome is SignInOutcome.THROTTLED
        assert db.session.execute(select(LoginThrottle)).scalars().all()
