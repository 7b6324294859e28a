"""Account rules: sign-in with throttling, invitations, edits and deactivation. Services flush, never commit."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, select, update

from resettle.audit.services import describe_changes, record
from resettle.auth import throttle
from resettle.auth.models import ApprovalStatus, Role, RoleApproval, User, new_session_token
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


def second_factor_failed(user: User, tries: int, address: str | None) -> None:
    """A wrong code after a right password counts like a wrong password, so someone holding the password
    cannot try codes faster than passwords."""
    now = utcnow()
    throttle.count_failure(user.email, address, now)
    _count_account_failure(user, now)
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


# A new administrator, or a change of role that gives more access (to caseworker: health notes; to
# administrator: everything), takes effect only when a second administrator approves it.
ROLES_NEEDING_APPROVAL_ON_CHANGE = frozenset({Role.CASEWORKER, Role.ADMIN})


def allowed_staff_domains() -> list[str]:
    raw = current_app.config.get("STAFF_EMAIL_DOMAINS") or ""
    return [domain.strip().lower().lstrip("@") for domain in raw.split(",") if domain.strip()]


def _mailbox(email: str) -> str:
    """The mailbox an address delivers to: plus-addressing ("name+tag@") reaches the same person."""
    local, _, domain = normalise_email(email).partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def check_invitation_address(email: str, actor: User) -> None:
    domains = allowed_staff_domains()
    domain = normalise_email(email).rpartition("@")[2]
    if not domains:
        raise AccountError("email", "No staff email domains are set (STAFF_EMAIL_DOMAINS), so no one can be invited")
    if domain not in domains:
        raise AccountError(
            "email", f"Invite staff at their council email address ({', '.join('@' + d for d in domains)})"
        )
    if _mailbox(email) == _mailbox(actor.email):
        raise AccountError("email", "You cannot invite yourself. Ask another administrator")


def invite_user(email: str, name: str, role: Role, actor: User) -> User:
    """Invite a member of staff. A new administrator waits for a second administrator's approval before the
    account works or the email is sent."""
    check_invitation_address(email, actor)
    user = create_user(email, name, role, actor=actor)
    if role is Role.ADMIN:
        user.is_active_account = False
        _request_approval(user, role, actor, is_invitation=True)
    else:
        send_set_password_email(user, invited_by=actor)
    return user


def _request_approval(user: User, role: Role, actor: User, is_invitation: bool) -> RoleApproval:
    for earlier in pending_approvals_for(user):
        earlier.status = ApprovalStatus.REJECTED
        earlier.decided_by_id = actor.id
        earlier.decided_at = utcnow()
    approval = RoleApproval(user_id=user.id, requested_role=role, requested_by_id=actor.id, is_invitation=is_invitation)
    db.session.add(approval)
    db.session.flush()
    what = "new account" if is_invitation else f"role change from {user.role.value}"
    record(
        "role_approval_requested", "user", user.id, f"{what} to {role.value} awaits a second administrator", actor=actor
    )
    return approval


def pending_approvals_for(user: User) -> list[RoleApproval]:
    return list(
        db.session.execute(
            select(RoleApproval).where(RoleApproval.user_id == user.id, RoleApproval.status == ApprovalStatus.PENDING)
        ).scalars()
    )


def pending_approvals() -> list[RoleApproval]:
    from sqlalchemy.orm import joinedload

    return list(
        db.session.execute(
            select(RoleApproval)
            .options(joinedload(RoleApproval.user), joinedload(RoleApproval.requested_by))
            .where(RoleApproval.status == ApprovalStatus.PENDING)
            .order_by(RoleApproval.requested_at, RoleApproval.id)
            .limit(200)
        ).scalars()
    )


def get_pending_approval(public_id: str) -> RoleApproval | None:
    return db.session.execute(
        select(RoleApproval)
        .where(RoleApproval.public_id == public_id, RoleApproval.status == ApprovalStatus.PENDING)
        .with_for_update()
    ).scalar_one_or_none()


def _check_second_administrator(approval: RoleApproval, approver: User) -> None:
    if approver.role is not Role.ADMIN:
        raise AccountError("approval", "Only an administrator can approve this")
    if approver.id in (approval.requested_by_id, approval.user_id):
        raise AccountError("approval", "A different administrator must approve this")


def approve(approval: RoleApproval, approver: User) -> None:
    """A second administrator approves a new administrator or a role change; it takes effect now."""
    _check_second_administrator(approval, approver)
    user = approval.user
    approval.status = ApprovalStatus.APPROVED
    approval.decided_by_id = approver.id
    approval.decided_at = utcnow()
    if approval.is_invitation:
        user.is_active_account = True
        send_set_password_email(user, invited_by=approval.requested_by or approver)
    else:
        user.session_token = new_session_token()
        end_all_sessions(user, "role changed")
        user.role = approval.requested_role
    record(
        "role_approval_approved",
        "user",
        user.id,
        f"{'new account' if approval.is_invitation else 'role change'} to {approval.requested_role.value} approved",
        actor=approver,
    )
    db.session.flush()


def reject(approval: RoleApproval, decider: User) -> None:
    """Refuse (or, for the administrator who asked, withdraw) a pending request. A refused invitation's
    account, which never worked, is removed."""
    if decider.role is not Role.ADMIN or decider.id == approval.user_id:
        raise AccountError("approval", "Only another administrator can decide this")
    approval.status = ApprovalStatus.REJECTED
    approval.decided_by_id = decider.id
    approval.decided_at = utcnow()
    user = approval.user
    record(
        "role_approval_rejected",
        "user",
        user.id,
        f"{'new account' if approval.is_invitation else 'role change'} to {approval.requested_role.value} refused",
        actor=decider,
    )
    if approval.is_invitation and user.password_hash is None and user.last_login_at is None:
        db.session.delete(user)
    db.session.flush()


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


def update_user(user: User, name: str, role: Role, is_active: bool, actor: User) -> RoleApproval | None:
    """Change an account. The last active administrator cannot be demoted or deactivated. A change of role to
    caseworker or administrator is not made here but waits for a second administrator: the pending request
    is returned."""
    if user.role == Role.ADMIN and user.is_active_account and (role != Role.ADMIN or not is_active):
        if active_admin_count() <= 1:
            raise AccountError("role", "There must be at least one active administrator")
    if user.id == actor.id and not is_active:
        raise AccountError("is_active", "You cannot deactivate your own account")
    approval = None
    if role != user.role and role in ROLES_NEEDING_APPROVAL_ON_CHANGE:
        approval = _request_approval(user, role, actor, is_invitation=False)
        role = user.role
    before = {"name": user.name, "role": user.role.value, "active": user.is_active_account}
    if (user.is_active_account and not is_active) or role != user.role:
        user.session_token = new_session_token()  # unused set-password links stop working
        end_all_sessions(user, "role changed" if role != user.role else "account deactivated")
    user.name = name.strip()
    user.role = role
    user.is_active_account = is_active
    after = {"name": user.name, "role": user.role.value, "active": user.is_active_account}
    if after != before or approval is None:
        record("user_updated", "user", user.id, describe_changes(before, after), actor=actor)
    db.session.flush()
    return approval


def list_users_query() -> Select[tuple[User]]:
    return select(User).order_by(User.is_active_account.desc(), User.name)
