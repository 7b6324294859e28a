"""Pages about the API: a person's own tokens (under their account) and the API documentation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.api.forms import NewTokenForm
from resettle.api.models import TokenScope
from resettle.api.tokens import TokenRefused, create_token, revoke_token, token_state, tokens_of
from resettle.auth.permissions import STAFF, public_route, roles_required
from resettle.web.forms import show_field_error

bp = Blueprint("api_pages", __name__)


@bp.route("/account/api-tokens")
@roles_required(*STAFF)
def list_tokens() -> str:
    user = current_user._get_current_object()
    return render_template("api/tokens.html", tokens=tokens_of(user), state_of=lambda token: token_state(token, user))


@bp.route("/account/api-tokens/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_token() -> str | Response:
    form = NewTokenForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            made = create_token(
                user, form.name.data or "", TokenScope(form.scope.data), int(form.expires_in_days.data or 0)
            )
        except TokenRefused as refused:
            show_field_error(form, refused)
        else:
            # Shown on this response only (never flashed or kept in the session), and not cached (no-store).
            return render_template("api/token_created.html", token=made.token, secret=made.secret)
    return render_template("api/new_token.html", form=form)


@bp.route("/account/api-tokens/<public_id>/revoke", methods=["POST"])
@roles_required(*STAFF)
def revoke(public_id: str) -> Response:
    if not revoke_token(current_user._get_current_object(), public_id):
        abort(404)
    flash("The token has been revoked. It no longer works", "success")
    return redirect(url_for("api_pages.list_tokens"))


@bp.route("/api-docs")
@public_route
def api_docs() -> str:
    """The OpenAPI document drawn by Swagger UI, served from this app (no third-party scripts)."""
    return render_template("api/docs.html")
