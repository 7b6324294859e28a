"""Slowing password guessing without letting anyone lock a named person out.

Three layers, all keyed on the real client address (see TRUSTED_PROXY_HOPS) and on the email address as typed,
whether or not an account has it, so the answers never reveal which accounts exist:

1. Per address: Flask-Limiter's LOGIN_RATE_LIMIT on the sign-in form (10 a minute, 50 an hour by default).
2. Per email address and client address: after LOGIN_MAX_FAILURES wrong passwords in a row, that address may not
   try that email address again for LOGIN_LOCKOUT_MINUTES. This blocks only the guesser's own address.
3. Per email address, from any address: after LOGIN_SLOWDOWN_AFTER wrong passwords, each further attempt waits
   a delay that doubles with every failure up to LOGIN_SLOWDOWN_MAX_SECONDS. A browser in which the person has
   signed in before carries a signed "known device" cookie and is exempt, so a distributed attack slows guessing
   to a crawl but cannot keep the real person out of the browsers they use.

Counters are changed by single INSERT ... ON CONFLICT DO UPDATE ... RETURNING statements, so concurrent wrong
passwords are all counted.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import Request, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.wrappers import Response as BaseResponse

from resettle.auth.models import LoginThrottle
from resettle.extensions import db

DEVICE_COOKIE = "resettle_device"
DEVICE_COOKIE_DAYS = 180
DEVICE_COOKIE_MAX_ACCOUNTS = 10


def _digest(value: str) -> str:
    key = (current_app.config["SECRET_KEY"] or "").encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def email_key(email: str) -> str:
    return _digest(f"email:{email}")


def pair_key(email: str, address: str | None) -> str:
    return _digest(f"pair:{email}|{address or 'unknown'}")


def slowdown_delay(failures: int) -> timedelta:
    """How long after the last failure the next attempt must wait, once past LOGIN_SLOWDOWN_AFTER."""
    after = current_app.config["LOGIN_SLOWDOWN_AFTER"]
    if failures < after:
        return timedelta(0)
    exponent = min(failures - after, 20)
    return timedelta(seconds=min(2**exponent, current_app.config["LOGIN_SLOWDOWN_MAX_SECONDS"]))


def is_throttled(email: str, address: str | None, now: datetime, known_device: bool) -> bool:
    """Whether this attempt must be refused without being judged (the password is still hashed by the caller)."""
    rows = db.session.execute(
        select(LoginThrottle).where(LoginThrottle.key.in_([email_key(email), pair_key(email, address)]))
    ).scalars()
    by_key = {row.key: row for row in rows}
    pair = by_key.get(pair_key(email, address))
    if pair is not None and pair.blocked_until is not None and pair.blocked_until > now:
        return True
    overall = by_key.get(email_key(email))
    if overall is None or known_device:
        return False
    return now < overall.last_failure_at + slowdown_delay(overall.failures)


def _count(key: str, now: datetime, window: timedelta) -> int:
    """Add one failure to a counter (starting again if the last one is older than `window`); the new count."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LoginThrottle).values(key=key, failures=1, last_failure_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case(
                (LoginThrottle.last_failure_at < now - window, 1),
                else_=LoginThrottle.failures + 1,
            ),
            "last_failure_at": now,
        },
    ).returning(LoginThrottle.failures)
    return int(db.session.execute(statement).scalar_one())


def count_failure(email: str, address: str | None, now: datetime) -> tuple[int, bool]:
    """Count a wrong password; return the count from any address, and whether this address is now blocked."""
    config = current_app.config
    lockout = timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    overall = _count(email_key(email), now, timedelta(hours=config["LOGIN_SLOWDOWN_WINDOW_HOURS"]))
    key = pair_key(email, address)
    in_a_row = _count(key, now, lockout)
    blocked = in_a_row >= config["LOGIN_MAX_FAILURES"]
    if blocked:
        db.session.execute(
            update(LoginThrottle).where(LoginThrottle.key == key).values(blocked_until=now + lockout, failures=0)
        )
    return overall, blocked


def clear_failures(email: str, address: str | None) -> None:
    """After a sign-in, this address starts afresh. The count from every address stays until its window passes:
    the person signing in says nothing about whoever else is guessing."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == pair_key(email, address)))


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="resettle-known-device")


def known_accounts(request: Request) -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        value = _device_serializer().loads(raw)
    except BadSignature:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def is_known_device(request: Request, email: str) -> bool:
    return email_key(email) in known_accounts(request)


def remember_device(request: Request, response: BaseResponse, email: str) -> None:
    """After a full sign-in, mark this browser as one the person uses (see layer 3 above)."""
    key = email_key(email)
    accounts = [key, *(item for item in known_accounts(request) if item != key)][:DEVICE_COOKIE_MAX_ACCOUNTS]
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(accounts),
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        samesite="Lax",
    )
