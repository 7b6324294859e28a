"""TOTP second factor (RFC 6238, via pyotp) and single-use recovery codes.

Required for administrators and caseworkers (who read health notes), optional for spend reviewers. A code is
accepted for the current 30-second step or the one either side (clock drift), and each step only once per
account: the step is recorded with a conditional UPDATE, so a code seen over someone's shoulder cannot be
replayed, even by two requests at once. Recovery codes are random, shown once, stored as SHA-256 hashes (they
carry 50 bits of randomness, so a fast hash is enough) and spent by a conditional UPDATE too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from io import BytesIO

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from resettle.audit.services import record
from resettle.auth.models import RecoveryCode, User
from resettle.db import rows_changed, utcnow
from resettle.extensions import db

RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
VALID_WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])


def qr_code_svg(data: str) -> str:
    """An inline SVG QR code (no image request, no third party)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    # Drop the XML declaration so the SVG can sit inside HTML; give it a label for screen readers.
    svg = svg[svg.index("<svg") :]
    return svg.replace("<svg ", '<svg role="img" aria-label="QR code for your authenticator app" ', 1)


def pending_secret(user: User) -> str:
    """The secret being set up: kept on the account (not yet enabled) so reloading the page shows the same one."""
    if user.totp_enabled:
        raise ValueError("two-factor authentication is already set up")
    if not user.totp_secret:
        user.totp_secret = new_secret()
        db.session.flush()
    return user.totp_secret


def _normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _use_step(user: User, code: str, secret: str) -> bool:
    code = _normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    current = totp.timecode(utcnow())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            result = db.session.execute(
                update(User)
                .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
                .values(totp_last_step=step),
                execution_options={"synchronize_session": False},
            )
            db.session.expire(user, ["totp_last_step"])
            return bool(rows_changed(result))
    return False


def verify_code(user: User, code: str) -> bool:
    """Whether `code` is a current authenticator code for the user, not used before."""
    if not user.totp_enabled or not user.totp_secret:
        return False
    return _use_step(user, code, user.totp_secret)


def enable(user: User, code: str) -> list[str] | None:
    """Finish setting up: the first code proves the app holds the secret. Returns the new recovery codes."""
    if user.totp_enabled or not user.totp_secret or not _use_step(user, code, user.totp_secret):
        return None
    user.totp_enabled_at = utcnow()
    record("two_factor_enabled", "user", user.id, "authenticator app set up", actor=user)
    return new_recovery_codes(user)


def disable(user: User) -> None:
    if user.totp_required:
        raise ValueError("two-factor authentication is required for this role")
    user.totp_secret = None
    user.totp_enabled_at = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("two_factor_disabled", "user", user.id, "authenticator app removed", actor=user)
    db.session.flush()


def reset_by_administrator(user: User, admin: User) -> None:
    """For someone who lost both their app and their recovery codes: remove the app and end their sessions,
    so their next sign-in (password only) leads straight to setting up a new one. Never one's own."""
    from resettle.auth.services import AccountError
    from resettle.auth.sessions import end_all_sessions

    if admin.id == user.id:
        raise AccountError("two_factor", "Ask another administrator to remove your own authenticator app")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_all_sessions(user, "two-factor reset")
    record("two_factor_reset", "user", user.id, "authenticator app removed by an administrator", actor=admin)
    db.session.flush()


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned to show once and never stored."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)) for code in codes)
    record("recovery_codes_created", "user", user.id, f"{len(codes)} recovery codes made", actor=user)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    normalised = _normalise_code(code)
    if len(normalised) != 10 or any(c not in RECOVERY_CODE_ALPHABET for c in normalised):
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(normalised),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    if rows_changed(result):
        record("recovery_code_used", "user", user.id, "signed in with a recovery code", actor=user)
    return bool(rows_changed(result))


def unused_recovery_code_count(user: User) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def check_second_factor(user: User, code: str) -> str | None:
    """Which second factor `code` is ("authenticator app" or "recovery code"), or None if neither."""
    if verify_code(user, code):
        return "authenticator app"
    if use_recovery_code(user, code):
        return "recovery code"
    return None
