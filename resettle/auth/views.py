"""Sign in, sign out, set a password from an invitation link."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from resettle.auth import bp, services
from resettle.auth.forms import LoginForm, SetPasswordForm
from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.auth.services import AccountError, SignInOutcome, authenticate, record_logout, user_for_set_password_token
from resettle.extensions import limiter
from resettle.web.forms import show_field_error

SIGN_IN_MESSAGES = {
    SignInOutcome.BAD_CREDENTIALS: "Enter a correct email address and password",
    SignInOutcome.LOCKED: "There have been too many attempts to sign in to this account. Wait 15 minutes and try again",
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
        result = authenticate(form.email.data or "", form.password.data or "")
        if result.outcome is SignInOutcome.OK and result.user is not None:
            session.clear()  # no fixation: a fresh session for the signed-in user
            login_user(result.user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        form.email.errors.append(SIGN_IN_MESSAGES[result.outcome])
    return render_template("auth/login.html", form=form, signed_out_idle=session.pop("signed_out_idle", False))


@bp.route("/logout", methods=["POST"])
@roles_required(*STAFF)
def logout() -> Response:
    record_logout(current_user._get_current_object())
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
