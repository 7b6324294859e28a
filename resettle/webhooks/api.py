"""/api/v1/webhooks: administrators list, register and delete endpoints and read their deliveries, through the
same services (and audit entries) as the admin pages."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_login import current_user
from marshmallow import RAISE
from sqlalchemy import desc, select
from sqlalchemy.orm import joinedload

from resettle.api.blueprint import ApiBlueprint
from resettle.api.pagination import Page, PageArgsSchema, keyset_page, page_schema
from resettle.auth.models import Role
from resettle.auth.permissions import roles_required
from resettle.webhooks.models import WebhookDelivery, WebhookEndpoint
from resettle.webhooks.schemas import (
    DeliveryFiltersSchema,
    DeliverySchema,
    EndpointCreatedSchema,
    EndpointSchema,
    NewEndpointSchema,
)
from resettle.webhooks.services import EndpointFields, delete_endpoint, get_endpoint, register_endpoint

blp = ApiBlueprint(
    "webhooks",
    __name__,
    tag="Webhooks",
    url_prefix="/webhooks",
    description="Partners' endpoints for signed event messages, and their deliveries (administrators)",
)


def _endpoint_or_404(endpoint_id: str) -> WebhookEndpoint:
    endpoint = get_endpoint(endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


@blp.route("/endpoints")
@roles_required(Role.ADMIN)
@blp.arguments(PageArgsSchema, location="query", unknown=RAISE)
@blp.response(200, page_schema(EndpointSchema))
def list_webhook_endpoints(args: dict[str, Any]) -> Page:
    """Every endpoint, newest first."""
    return keyset_page(select(WebhookEndpoint), [desc(WebhookEndpoint.id)], args)


@blp.route("/endpoints", methods=["POST"])
@roles_required(Role.ADMIN)
@blp.arguments(NewEndpointSchema)
@blp.response(201, EndpointCreatedSchema)
@blp.idempotent_create(
    get_endpoint, lambda made: made.public_id if isinstance(made, WebhookEndpoint) else made["public_id"]
)
def create_webhook_endpoint(data: dict[str, Any]) -> dict[str, Any]:
    """Register an endpoint. The answer carries its signing secret, this once."""
    endpoint, secret = register_endpoint(
        EndpointFields(data["url"], data.get("description", ""), data["events"]), current_user
    )
    return {
        "public_id": endpoint.public_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
        "created_at": endpoint.created_at,
        "secret": secret,
    }


@blp.route("/endpoints/<endpoint_id>")
@roles_required(Role.ADMIN)
@blp.response(200, EndpointSchema)
def show_webhook_endpoint(endpoint_id: str) -> WebhookEndpoint:
    return _endpoint_or_404(endpoint_id)


@blp.route("/endpoints/<endpoint_id>", methods=["DELETE"])
@roles_required(Role.ADMIN)
@blp.response(204)
def delete_webhook_endpoint(endpoint_id: str) -> None:
    """Delete the endpoint and its delivery history (the audit log keeps that it existed)."""
    delete_endpoint(_endpoint_or_404(endpoint_id), current_user)


@blp.route("/endpoints/<endpoint_id>/deliveries")
@roles_required(Role.ADMIN)
@blp.arguments(DeliveryFiltersSchema, location="query", unknown=RAISE)
@blp.response(200, page_schema(DeliverySchema))
def list_webhook_deliveries(args: dict[str, Any], endpoint_id: str) -> Page:
    """The endpoint's deliveries, newest first: status, attempts, last answer and next try."""
    endpoint = _endpoint_or_404(endpoint_id)
    statement = (
        select(WebhookDelivery)
        .options(joinedload(WebhookDelivery.event))
        .where(WebhookDelivery.endpoint_id == endpoint.id)
    )
    if args.get("status"):
        statement = statement.where(WebhookDelivery.status == args["status"])
    return keyset_page(statement, [desc(WebhookDelivery.id)], args)
