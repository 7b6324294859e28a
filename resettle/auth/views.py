"""Sign in, sign out, set a password from an invitation link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from resettle.auth import bp, services, throttle
from resettle.auth.forms import LoginForm, SetPasswordForm
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
from resettle.extensions import limiter
from resettle.web.forms import show_field_error

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
    return current_app.config["LOGIN_RATE_LIMIT"]


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
            complete_sign_in(result.user, request.remote_addr)
            _open_session(result.user)
            response = redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
            throttle.remember_device(request, response, result.user.email)
            return response
        form.email.errors.append(SIGN_IN_MESSAGES[result.outcome])
    return render_template("auth/login.html", form=form, signed_out_reason=session.pop("signed_out_reason", None))


def _open_session(user: User) -> None:
    session.clear()  # no fixation: a fresh session for the signed-in user
    start_session(user)
    login_user(user)
    session.permanent = True


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
def set_password(token: str) -> str | Response:
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
    return render_template("auth/account.html", user=user, session_count=len(open_sessions(user)))
