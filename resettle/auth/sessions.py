"""Server-side sessions: the cookie carries a random token; the row holding its hash decides whether it works.

A session ends when its owner signs out or ends it from another browser, when the account's password, role or
active flag changes, after SESSION_IDLE_MINUTES without use, and in any case SESSION_ABSOLUTE_HOURS after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import select, update

from resettle.auth.models import User, UserSession
from resettle.db import rows_changed, utcnow
from resettle.extensions import db

# Writing last_seen_at on every request would add a write to every page; this much drift is harmless
# against a 30-minute idle timeout.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _absolute_limit() -> timedelta:
    return timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"])


def start_session(user: User) -> str:
    """Open a session for a user who has just proved who they are; return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    ip_address = request.remote_addr if has_request_context() else None
    user_agent = request.headers.get("User-Agent", "")[:300] if has_request_context() else None
    db.session.add(
        UserSession(
            token_hash=hash_session_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + _absolute_limit(),
            ip_address=(ip_address or "")[:45] or None,
            user_agent=user_agent or None,
        )
    )
    db.session.flush()
    user.current_session_token = token
    return token


@dataclass
class LoadedSession:
    user: User | None
    # Why a presented token no longer works ("idle", "expired", "ended"), or None when it works.
    ended_because: str | None = None


def load_session(token: str) -> LoadedSession:
    """The user a session token belongs to, if the session is still open; touches its last-seen time."""
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_session_token(token))
    ).one_or_none()
    if row is None:
        return LoadedSession(None, "ended")
    user_session, user = row
    now = utcnow()
    if user_session.ended_at is not None or not user.is_active_account:
        return LoadedSession(None, "ended")
    if now >= user_session.expires_at:
        _end(user_session, "expired", now)
        return LoadedSession(None, "expired")
    if now - user_session.last_seen_at > _idle_limit():
        _end(user_session, "idle", now)
        return LoadedSession(None, "idle")
    if now - user_session.last_seen_at >= LAST_SEEN_RESOLUTION:
        user_session.last_seen_at = now
    user.current_session_token = token
    return LoadedSession(user)


def _end(user_session: UserSession, reason: str, now: datetime) -> None:
    user_session.ended_at = now
    user_session.end_reason = reason
    db.session.flush()


def end_session(token: str, reason: str = "signed out") -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_session_token(token), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )


def end_all_sessions(user: User, reason: str, keep_token: str | None = None) -> int:
    """End every open session of a user (all but `keep_token`'s, if given); return how many were ended."""
    statement = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token is not None:
        statement = statement.where(UserSession.token_hash != hash_session_token(keep_token))
    result = db.session.execute(statement.values(ended_at=utcnow(), end_reason=reason))
    return rows_changed(result)


def end_session_by_public_id(user: User, public_id: str) -> bool:
    """End one of the user's own sessions, named by its public id. Another user's session is never found."""
    result = db.session.execute(
        update(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.public_id == public_id,
            UserSession.ended_at.is_(None),
        )
        .values(ended_at=utcnow(), end_reason="ended from another session")
    )
    return bool(rows_changed(result))


def open_sessions(user: User) -> list[UserSession]:
    """The user's sessions that still work, newest activity first."""
    now = utcnow()
    rows = db.session.execute(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at >= now - _idle_limit(),
        )
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        .limit(50)
    )
    return list(rows.scalars())


def is_current(user_session: UserSession, token: str | None) -> bool:
    return token is not None and user_session.token_hash == hash_session_token(token)


def describe_browser(user_agent: str | None) -> str:
    """A short, readable name for a browser from its User-Agent header."""
    if not user_agent:
        return "Unknown browser"
    agent = user_agent
    browser = "Unknown browser"
    for marker, name in (
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ):
        if marker in agent:
            browser = name
            break
    system = next(
        (
            name
            for marker, name in (
                ("Windows", "Windows"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Mac OS X", "Mac"),
                ("Linux", "Linux"),
            )
            if marker in agent
        ),
        None,
    )
    return f"{browser} on {system}" if system else browser
