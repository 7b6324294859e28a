"""The administrator's webhook pages: endpoints, their delivery history, and the buttons that change them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from resettle.auth.models import Role
from resettle.auth.permissions import roles_required
from resettle.errors import FieldError
from resettle.web.forms import show_field_error
from resettle.web.pagination import paginate
from resettle.webhooks import bp
from resettle.webhooks.forms import ActionForm, EndpointForm
from resettle.webhooks.models import DeliveryStatus, WebhookEndpoint
from resettle.webhooks.services import (
    EndpointFields,
    delete_endpoint,
    deliveries_query,
    delivery_counts,
    endpoints_query,
    get_delivery,
    get_endpoint,
    register_endpoint,
    send_test_event,
    set_endpoint_active,
)


def _endpoint_or_404(public_id: str) -> WebhookEndpoint:
    endpoint = get_endpoint(public_id)
    if endpoint is None:
        abort(404)
    return endpoint


@bp.route("/")
@roles_required(Role.ADMIN)
def list_endpoints() -> str:
    return render_template(
        "webhooks/endpoints.html", page=paginate(endpoints_query(), per_page=50), counts=delivery_counts()
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_endpoint() -> str:
    form = EndpointForm()
    if form.validate_on_submit():
        fields = EndpointFields(form.url.data or "", form.description.data or "", list(form.events.data or []))
        try:
            endpoint, secret = register_endpoint(fields, current_user)
        except FieldError as error:
            show_field_error(form, error)
        else:
            # Shown on this one page and never again (the page is not cached: see web/security.py).
            return render_template("webhooks/secret.html", endpoint=endpoint, secret=secret)
    return render_template("webhooks/endpoint_form.html", form=form)


@bp.route("/<public_id>")
@roles_required(Role.ADMIN)
def show_endpoint(public_id: str) -> str:
    endpoint = _endpoint_or_404(public_id)
    status = request.args.get("status") or None
    if status not in {s.value for s in DeliveryStatus}:
        status = None
    return render_template(
        "webhooks/endpoint.html",
        endpoint=endpoint,
        page=paginate(deliveries_query(endpoint, status)),
        status=status,
        statuses=list(DeliveryStatus),
        form=ActionForm(),
    )


@bp.route("/<public_id>/deliveries/<delivery_id>")
@roles_required(Role.ADMIN)
def show_delivery(public_id: str, delivery_id: str) -> str:
    endpoint = _endpoint_or_404(public_id)
    delivery = get_delivery(endpoint, delivery_id)
    if delivery is None:
        abort(404)
    return render_template("webhooks/delivery.html", endpoint=endpoint, delivery=delivery)


def _act(public_id: str) -> tuple[WebhookEndpoint, bool]:
    endpoint = _endpoint_or_404(public_id)
    return endpoint, ActionForm().validate_on_submit()


@bp.route("/<public_id>/disable", methods=["POST"])
@roles_required(Role.ADMIN)
def disable_endpoint(public_id: str) -> Response:
    endpoint, valid = _act(public_id)
    if valid:
        set_endpoint_active(endpoint, False, current_user)
        flash("Endpoint disabled: it gets no new events until you enable it", "success")
    return redirect(url_for("webhooks.show_endpoint", public_id=endpoint.public_id))


@bp.route("/<public_id>/enable", methods=["POST"])
@roles_required(Role.ADMIN)
def enable_endpoint(public_id: str) -> Response:
    endpoint, valid = _act(public_id)
    if valid:
        set_endpoint_active(endpoint, True, current_user)
        flash("Endpoint enabled", "success")
    return redirect(url_for("webhooks.show_endpoint", public_id=endpoint.public_id))


@bp.route("/<public_id>/test", methods=["POST"])
@roles_required(Role.ADMIN)
def send_test(public_id: str) -> Response:
    endpoint, valid = _act(public_id)
    if valid:
        send_test_event(endpoint, current_user)
        flash("Test event queued: it is sent within a minute and listed below", "success")
    return redirect(url_for("webhooks.show_endpoint", public_id=endpoint.public_id))


@bp.route("/<public_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def delete(public_id: str) -> str | Response:
    endpoint = _endpoint_or_404(public_id)
    form = ActionForm()
    if form.validate_on_submit():
        delete_endpoint(endpoint, current_user)
        flash(f"Endpoint {endpoint.url} deleted", "success")
        return redirect(url_for("webhooks.list_endpoints"))
    return render_template("webhooks/delete.html", endpoint=endpoint, form=form)
