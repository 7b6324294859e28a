"""Sign in, sign out, set a password from an invitation link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from resettle.auth import bp, services, throttle, two_factor
from resettle.auth.forms import LoginForm, SecondFactorForm, SetPasswordForm, SetUpTwoFactorForm
from resettle.auth.models import User
from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.auth.services import (
    AccountError,
    SignInOutcome,
    authenticate,
    complete_sign_in,
    normalise_email,
    record_logout,
    record_session_ended,
    second_factor_failed,
    user_for_set_password_token,
)
from resettle.auth.sessions import (
    describe_browser,
    end_all_sessions,
    end_session,
    end_session_by_public_id,
    is_current,
    open_sessions,
    start_session,
)
from resettle.db import utcnow
from resettle.extensions import db, limiter
from resettle.web.forms import show_field_error

PENDING_SIGN_IN = "pending_sign_in"
PENDING_SIGN_IN_SECONDS = 300
MAX_SECOND_FACTOR_TRIES = 5

SIGN_IN_MESSAGES = {
    SignInOutcome.BAD_CREDENTIALS: "Enter a correct email address and password",
    # Said alike whether or not an account has the email address, so it reveals nothing about who has one.
    SignInOutcome.THROTTLED: (
        "There have been too many attempts to sign in with this email address. Wait a few minutes and try again"
    ),
    SignInOutcome.INACTIVE: "This account has been deactivated. Ask an administrator if you need access",
}


def _safe_next(target: str | None) -> str | None:
    """Only allow redirects to paths on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@bp.route("/login", methods=["GET", "POST"])
@public_route
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data or "")
        result = authenticate(
            email, form.password.data or "", request.remote_addr, throttle.is_known_device(request, email)
        )
        if result.outcome is SignInOutcome.OK and result.user is not None:
            next_url = _safe_next(request.args.get("next"))
            if result.user.totp_enabled:
                session.clear()
                session[PENDING_SIGN_IN] = {
                    "user": result.user.id,
                    "at": utcnow().timestamp(),
                    "next": next_url,
                    "tries": 0,
                }
                return redirect(url_for("auth.second_factor"))
            return _finish_sign_in(result.user, next_url, None)
        form.email.errors.append(SIGN_IN_MESSAGES[result.outcome])
    return render_template("auth/login.html", form=form, signed_out_reason=session.pop("signed_out_reason", None))


def _open_session(user: User) -> None:
    session.clear()  # no fixation: a fresh session for the signed-in user
    start_session(user)
    login_user(user)
    session.permanent = True


def _finish_sign_in(user: User, next_url: str | None, second_factor: str | None) -> Response:
    complete_sign_in(user, request.remote_addr, second_factor)
    _open_session(user)
    if user.totp_required and not user.totp_enabled:
        flash("Set up two-factor authentication to continue", "info")
        next_url = url_for("auth.two_factor_setup")
    response = redirect(next_url or url_for("main.home"))
    throttle.remember_device(request, response, user.email)
    return response


def _pending_user() -> User | None:
    """The account whose password was just given, if the second step is still open (5 minutes, 5 tries)."""
    pending = session.get(PENDING_SIGN_IN)
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_SIGN_IN_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active_account or not user.totp_enabled:
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@public_route
@limiter.limit(_login_rate_limit, methods=["POST"])
def second_factor() -> str | Response:
    """The second step of signing in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user = _pending_user()
    if user is None:
        # Opened directly, after 5 minutes, or after too many wrong codes: the password comes first.
        session.pop(PENDING_SIGN_IN, None)
        return render_template("auth/second_factor_expired.html")
    form = SecondFactorForm()
    if form.validate_on_submit():
        used = two_factor.check_second_factor(user, form.code.data or "")
        pending = dict(session[PENDING_SIGN_IN])
        if used:
            return _finish_sign_in(user, pending.get("next"), used)
        pending["tries"] = int(pending.get("tries", 0)) + 1
        second_factor_failed(user, pending["tries"], request.remote_addr)
        if pending["tries"] >= MAX_SECOND_FACTOR_TRIES:
            session.pop(PENDING_SIGN_IN, None)
            return render_template("auth/second_factor_expired.html", too_many=True)
        session[PENDING_SIGN_IN] = pending
        form.code.errors.append("Enter the current code from your authenticator app, or an unused recovery code")
    return render_template("auth/second_factor.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles_required(*STAFF)
def logout() -> Response:
    user = current_user._get_current_object()
    record_logout(user)
    if user.current_session_token:
        end_session(user.current_session_token)
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public_route
@limiter.limit("20 per hour")
def set_password(token: str) -> str | Response | tuple[str, int]:
    user = user_for_set_password_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data or "")
        except AccountError as error:
            show_field_error(form, error)
        else:
            flash("Your password has been set. Sign in with your email address and new password", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/account/sessions")
@roles_required(*STAFF)
def sessions() -> str:
    """Where the person is signed in: each open session with when, from where and which browser."""
    user = current_user._get_current_object()
    return render_template(
        "auth/sessions.html",
        sessions=open_sessions(user),
        is_current=lambda s: is_current(s, user.current_session_token),
        describe_browser=describe_browser,
    )


@bp.route("/account/sessions/<public_id>/end", methods=["POST"])
@roles_required(*STAFF)
def end_other_session(public_id: str) -> Response:
    user = current_user._get_current_object()
    if not end_session_by_public_id(user, public_id[:64]):
        abort(404)
    record_session_ended(user, "one other session ended")
    flash("That session has been signed out", "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/account/sessions/end-others", methods=["POST"])
@roles_required(*STAFF)
def end_other_sessions() -> Response:
    user = current_user._get_current_object()
    count = end_all_sessions(user, "ended from another session", keep_token=user.current_session_token)
    record_session_ended(user, f"{count} other sessions ended")
    flash("You have been signed out everywhere else", "success")
    return redirect(url_for("auth.sessions"))


@bp.route("/account")
@roles_required(*STAFF)
def account() -> str:
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        user=user,
        session_count=len(open_sessions(user)),
        recovery_codes_left=two_factor.unused_recovery_code_count(user) if user.totp_enabled else 0,
    )


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles_required(*STAFF)
def two_factor_setup() -> str | Response:
    """Set up an authenticator app: scan the QR code (or type the key), then prove it with a first code."""
    user = current_user._get_current_object()
    if user.totp_enabled:
        return redirect(url_for("auth.account"))
    secret = two_factor.pending_secret(user)
    form = SetUpTwoFactorForm()
    if form.validate_on_submit():
        codes = two_factor.enable(user, form.code.data or "")
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
        form.code.errors.append("Enter the 6-digit code the app shows now for this account")
    return render_template(
        "auth/two_factor_setup.html",
        form=form,
        qr_svg=two_factor.qr_code_svg(two_factor.provisioning_uri(user, secret)),
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
    )


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@roles_required(*STAFF)
def new_recovery_codes() -> str | Response:
    user = current_user._get_current_object()
    if not user.totp_enabled:
        return redirect(url_for("auth.two_factor_setup"))
    return render_template("auth/recovery_codes.html", codes=two_factor.new_recovery_codes(user), first_time=False)


@bp.route("/account/two-factor/turn-off", methods=["POST"])
@roles_required(*STAFF)
def turn_off_two_factor() -> Response:
    user = current_user._get_current_object()
    if user.totp_required:
        flash("Your role needs two-factor authentication, so it cannot be turned off", "info")
    elif user.totp_enabled:
        two_factor.disable(user)
        flash("Two-factor authentication is off", "success")
    return redirect(url_for("auth.account"))
