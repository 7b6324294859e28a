"""Account rules: sign-in with throttling, invitations, edits and deactivation. Services flush, never commit."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from resettle.audit.services import describe_changes, record
from resettle.auth import throttle
from resettle.auth.models import Role, User, new_session_token
from resettle.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from resettle.auth.sessions import end_all_sessions
from resettle.db import utcnow
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.notifications.email import queue_email


class SignInOutcome(enum.Enum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"
    INACTIVE = "inactive"


@dataclass
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None


class AccountError(FieldError):
    """A rule about accounts was broken."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()


def authenticate(email: str, password: str, address: str | None = None, known_device: bool = False) -> SignInResult:
    """Check a sign-in attempt; count failures and throttle (see auth.throttle); audit every attempt.

    Unknown, wrong and throttled attempts all run one password verification, so they take the same time, and
    an email address with no account is counted and throttled exactly like one with an account."""
    now = utcnow()
    email = normalise_email(email)[:254]
    user = get_user_by_email(email)
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if throttle.is_throttled(email, address, now, known_device):
        record("login_throttled", "user", user.id if user else None, "too many attempts", actor_email=email)
        return SignInResult(SignInOutcome.THROTTLED)
    if user is None or not password_ok:
        overall, blocked = throttle.count_failure(email, address, now)
        summary = "unknown email" if user is None else f"wrong password ({overall} since the last sign-in)"
        if user is not None:
            _count_account_failure(user, now)
        if blocked:
            summary += f"; this address paused for {current_app.config['LOGIN_LOCKOUT_MINUTES']} minutes"
        record("login_failed", "user", user.id if user else None, summary, actor_email=email)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not user.is_active_account:
        record("login_refused_inactive", "user", user.id, "account deactivated", actor_email=user.email)
        return SignInResult(SignInOutcome.INACTIVE, user)
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return SignInResult(SignInOutcome.OK, user)


def _count_account_failure(user: User, now: datetime) -> int:
    """One atomic UPDATE ... RETURNING, so concurrent wrong passwords are all counted."""
    statement = (
        update(User)
        .where(User.id == user.id)
        .values(failed_login_count=User.failed_login_count + 1, last_failed_login_at=now)
        .returning(User.failed_login_count)
    )
    count = db.session.execute(statement, execution_options={"synchronize_session": False}).scalar_one()
    db.session.expire(user, ["failed_login_count", "last_failed_login_at"])
    return count


def complete_sign_in(user: User, address: str | None, second_factor: str | None = None) -> None:
    """The person has proved who they are (password, and second factor where they have one)."""
    user.failed_login_count = 0
    user.last_login_at = utcnow()
    throttle.clear_failures(user.email, address)
    record("login", "user", user.id, f"signed in{f' with {second_factor}' if second_factor else ''}", actor=user)
    db.session.flush()


def record_logout(user: User) -> None:
    record("logout", "user", user.id, "signed out", actor=user)


def record_second_factor_failed(user: User, tries: int) -> None:
    record("login_second_factor_failed", "user", user.id, f"wrong code ({tries} in a row)", actor_email=user.email)


def record_session_ended(user: User, summary: str) -> None:
    record("sessions_ended", "user", user.id, summary, actor=user)


def create_user(email: str, name: str, role: Role, password: str | None = None, actor: User | None = None) -> User:
    email = normalise_email(email)
    if get_user_by_email(email) is not None:
        raise AccountError("email", "An account with this email address already exists")
    if password is not None:
        problem = password_problem(password, email, name)
        if problem:
            raise AccountError("password", problem)
    user = User(email=email, name=name.strip(), role=role, password_hash=hash_password(password) if password else None)
    db.session.add(user)
    db.session.flush()
    record("user_created", "user", user.id, f"{email} as {role.value}", actor=actor)
    return user


def _invite_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="resettle-set-password")


def make_set_password_token(user: User) -> str:
    # The session token is part of the signed payload, so a link stops working once used.
    return _invite_serializer().dumps({"user": user.id, "session": user.session_token})


def user_for_set_password_token(token: str) -> User | None:
    max_age = int(timedelta(days=current_app.config["INVITE_MAX_AGE_DAYS"]).total_seconds())
    try:
        payload = _invite_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict):
        return None
    user = db.session.get(User, payload.get("user"))
    if user is None or user.session_token != payload.get("session") or not user.is_active_account:
        return None
    return user


def invite_user(email: str, name: str, role: Role, actor: User) -> User:
    user = create_user(email, name, role, actor=actor)
    send_set_password_email(user, invited_by=actor)
    return user


def send_set_password_email(user: User, invited_by: User) -> None:
    from flask import url_for

    path = url_for("auth.set_password", token=make_set_password_token(user))
    link = current_app.config["BASE_URL"].rstrip("/") + path
    days = current_app.config["INVITE_MAX_AGE_DAYS"]
    queue_email(
        to=user.email,
        subject="Set your password for Resettle",
        body=(
            f"Hello {user.name},\n\n"
            f"{invited_by.name} has given you an account on Resettle as {user.role.label.lower()}.\n\n"
            f"Set your password here (the link works once and for {days} days):\n{link}\n\n"
            "If you did not expect this email, you can ignore it.\n"
        ),
    )
    record("set_password_link_sent", "user", user.id, f"to {user.email}", actor=invited_by)


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_login_count = 0
    end_all_sessions(user, "password changed")
    record("password_set", "user", user.id, "password set", actor=user)
    db.session.flush()


def active_admin_count() -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active_account.is_(True))
    return db.session.execute(query).scalar_one()


def update_user(user: User, name: str, role: Role, is_active: bool, actor: User) -> User:
    """Change an account. The last active administrator cannot be demoted or deactivated."""
    if user.role == Role.ADMIN and user.is_active_account and (role != Role.ADMIN or not is_active):
        if active_admin_count() <= 1:
            raise AccountError("role", "There must be at least one active administrator")
    if user.id == actor.id and not is_active:
        raise AccountError("is_active", "You cannot deactivate your own account")
    before = {"name": user.name, "role": user.role.value, "active": user.is_active_account}
    if (user.is_active_account and not is_active) or role != user.role:
        user.session_token = new_session_token()  # unused set-password links stop working
        end_all_sessions(user, "role changed" if role != user.role else "account deactivated")
    user.name = name.strip()
    user.role = role
    user.is_active_account = is_active
    after = {"name": user.name, "role": user.role.value, "active": user.is_active_account}
    record("user_updated", "user", user.id, describe_changes(before, after), actor=actor)
    db.session.flush()
    return user


def list_users_query():  # noqa: ANN201
    return select(User).order_by(User.is_active_account.desc(), User.name)
