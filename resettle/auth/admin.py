"""Administrators invite, edit and deactivate staff accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth import admin_bp as bp
from resettle.auth.forms import EditUserForm, InviteUserForm
from resettle.auth.models import Role, User
from resettle.auth.permissions import roles_required
from resettle.auth.services import AccountError, invite_user, list_users_query, send_set_password_email, update_user
from resettle.extensions import db
from resettle.web.forms import show_field_error
from resettle.web.pagination import paginate


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@roles_required(Role.ADMIN)
def list_users() -> str:
    page = paginate(list_users_query())
    return render_template("auth/users.html", page=page)


@bp.route("/invite", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def invite() -> str | Response:
    form = InviteUserForm()
    if form.validate_on_submit():
        try:
            user = invite_user(form.email.data or "", form.name.data or "", Role(form.role.data), current_user)
        except AccountError as error:
            show_field_error(form, error)
        else:
            flash(f"Invitation sent to {user.email}", "success")
            return redirect(url_for("users.list_users"))
    return render_template("auth/user_form.html", form=form, title="Invite a user")


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    user = _get_user_or_404(user_id)
    # On POST the submitted answers take precedence over these saved values.
    form = EditUserForm(data={"name": user.name, "role": user.role.value, "is_active": user.is_active_account})
    if form.validate_on_submit():
        try:
            update_user(user, form.name.data or "", Role(form.role.data), bool(form.is_active.data), current_user)
        except AccountError as error:
            show_field_error(form, error)
        else:
            flash(f"Changes to {user.email} saved", "success")
            return redirect(url_for("users.list_users"))
    return render_template("auth/user_form.html", form=form, title=f"Edit {user.email}", user=user)


@bp.route("/<int:user_id>/resend-invitation", methods=["POST"])
@roles_required(Role.ADMIN)
def resend_invitation(user_id: int) -> Response:
    user = _get_user_or_404(user_id)
    if not user.is_active_account:
        flash("Reactivate the account before sending a link", "error")
    else:
        send_set_password_email(user, invited_by=current_user)
        flash(f"A link to set a password was sent to {user.email}", "success")
    return redirect(url_for("users.list_users"))
