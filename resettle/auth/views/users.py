"""Administrators invite, edit and deactivate staff accounts, and approve each other's grants of more access."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth import admin_bp as bp
from resettle.auth import two_factor
from resettle.auth.forms import EditUserForm, InviteUserForm
from resettle.auth.models import Role, User
from resettle.auth.permissions import roles_required
from resettle.auth.services import (
    AccountError,
    approve,
    get_pending_approval,
    invite_user,
    list_users_query,
    pending_approvals,
    reject,
    send_set_password_email,
    update_user,
)
from resettle.extensions import db
from resettle.web.forms import show_field_error
from resettle.web.pagination import paginate


@bp.route("/")
@roles_required(Role.ADMIN)
def list_users() -> str:
    page = paginate(list_users_query())
    awaiting = {approval.user_id for approval in pending_approvals()}
    return render_template("auth/users.html", page=page, awaiting=awaiting)


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
            if user.is_active_account:
                flash(f"Invitation sent to {user.email}", "success")
            else:
                flash(
                    f"A second administrator must approve {user.email} as an administrator "
                    "before the invitation is sent",
                    "success",
                )
            return redirect(url_for("users.list_users"))
    return render_template("auth/user_form.html", form=form, title="Invite a user")


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> str | Response:
    user = db.get_or_404(User, user_id)
    # On POST the submitted answers take precedence over these saved values.
    form = EditUserForm(data={"name": user.name, "role": user.role.value, "is_active": user.is_active_account})
    if form.validate_on_submit():
        try:
            approval = update_user(
                user, form.name.data or "", Role(form.role.data), bool(form.is_active.data), current_user
            )
        except AccountError as error:
            show_field_error(form, error)
        else:
            if approval is not None:
                flash(
                    f"Changes to {user.email} saved. The new role, {approval.requested_role.label.lower()}, "
                    "starts when a second administrator approves it",
                    "success",
                )
            else:
                flash(f"Changes to {user.email} saved", "success")
            return redirect(url_for("users.list_users"))
    return render_template("auth/user_form.html", form=form, title=f"Edit {user.email}", user=user)


@bp.route("/<int:user_id>/resend-invitation", methods=["POST"])
@roles_required(Role.ADMIN)
def resend_invitation(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    if not user.is_active_account:
        flash("Reactivate the account before sending a link", "error")
    else:
        send_set_password_email(user, invited_by=current_user)
        flash(f"A link to set a password was sent to {user.email}", "success")
    return redirect(url_for("users.list_users"))


@bp.route("/approvals")
@roles_required(Role.ADMIN)
def approvals() -> str:
    """New administrators and role changes waiting for a second administrator."""
    return render_template("auth/approvals.html", approvals=pending_approvals())


def _decide(public_id: str, decide: Callable[..., None], done: str) -> Response:
    approval = get_pending_approval(public_id[:64])
    if approval is None:
        abort(404)
    email = approval.user.email
    try:
        decide(approval, current_user._get_current_object())
    except AccountError as error:
        flash(error.message, "error")
    else:
        flash(done.format(email=email), "success")
    return redirect(url_for("users.approvals"))


@bp.route("/approvals/<public_id>/approve", methods=["POST"])
@roles_required(Role.ADMIN)
def approve_request(public_id: str) -> Response:
    return _decide(public_id, approve, "Approved: the change for {email} has been made")


@bp.route("/approvals/<public_id>/reject", methods=["POST"])
@roles_required(Role.ADMIN)
def reject_request(public_id: str) -> Response:
    return _decide(public_id, reject, "Refused: nothing has changed for {email}")


@bp.route("/<int:user_id>/reset-two-factor", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_two_factor(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    try:
        two_factor.reset_by_administrator(user, current_user._get_current_object())
    except AccountError as error:
        flash(error.message, "error")
    else:
        flash(f"{user.email} will set up a new authenticator app the next time they sign in", "success")
    return redirect(url_for("users.edit_user", user_id=user.id))
