"""The signed-in user's notifications and their choice of which also come by email."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput

from resettle.auth.permissions import STAFF, roles_required
from resettle.notifications.models import NotificationKind
from resettle.notifications.services import (
    email_choices,
    mark_all_read,
    open_notification,
    recent_notifications,
    set_email_choices,
    unread_count,
)
from resettle.web.forms import BoundedForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


class EmailChoicesForm(BoundedForm):
    by_email = SelectMultipleField(
        "Which should also come by email?",
        choices=[SelectChoice(kind.value, kind.label) for kind in NotificationKind],
        widget=GovCheckboxesInput(),
        option_widget=CheckboxInput(),
        description="You always see them here. Email never names a family, only its reference.",
        validate_choice=False,
    )
    submit = SubmitField("Save email choices", widget=GovSubmitInput())


class MarkAllReadForm(BoundedForm):
    submit = SubmitField("Mark all as read", widget=GovSubmitInput())


@bp.route("/")
@roles_required(*STAFF)
def list_notifications() -> str:
    return render_template(
        "notifications/list.html", notifications=recent_notifications(current_user), form=MarkAllReadForm()
    )


@bp.route("/<int:notification_id>")
@roles_required(*STAFF)
def open_one(notification_id: int) -> Response:
    notification = open_notification(current_user, notification_id)
    if notification is None:
        abort(404)
    link = notification.link
    safe = link.startswith("/") and not link.startswith("//") and "\\" not in link
    return redirect(link if safe else url_for("notifications.list_notifications"))


@bp.route("/read", methods=["POST"])
@roles_required(*STAFF)
def mark_read() -> Response:
    if MarkAllReadForm().validate_on_submit():
        count = mark_all_read(current_user)
        flash(f"{count} notification{'s' if count != 1 else ''} marked as read", "success")
    return redirect(url_for("notifications.list_notifications"))


@bp.route("/email", methods=["GET", "POST"])
@roles_required(*STAFF)
def email_settings() -> str | Response:
    form = EmailChoicesForm()
    if form.validate_on_submit():
        chosen = set(form.by_email.data or [])
        set_email_choices(current_user, {kind: kind.value in chosen for kind in NotificationKind})
        flash("Email choices saved", "success")
        return redirect(url_for("notifications.list_notifications"))
    if not form.is_submitted():
        form.by_email.data = [kind.value for kind, wanted in email_choices(current_user).items() if wanted]
    return render_template("notifications/email.html", form=form)


@bp.app_context_processor
def unread_notifications() -> dict[str, object]:
    """The header's unread count: one small query, only when someone is signed in and a page uses it."""

    def count() -> int:
        return unread_count(current_user) if current_user.is_authenticated else 0

    return {"unread_notification_count": count}
