"""Recording events for partners, and the administrator's changes to endpoints (each audited).

Feature services call `record_event` (or `record_events`) beside the change they make, in the same
transaction: nothing is sent then, the `deliver_webhooks` job sends it (resettle/webhooks/delivery.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from resettle.audit.services import record
from resettle.errors import FieldError
from resettle.extensions import db
from resettle.webhooks.addresses import check_url
from resettle.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryStatus,
    EventKind,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from resettle.webhooks.signing import encrypt_secret, new_secret

MAX_ENDPOINTS = 20
DESCRIPTION_MAX_LENGTH = 200

# What each event is about: the key in `data` and the API path of the record (the only things sent).
RESOURCES: dict[EventKind, tuple[str, str]] = {
    EventKind.OFFER_SUBMITTED: ("offer", "/api/v1/offers/{id}"),
    EventKind.OFFER_VERIFIED: ("offer", "/api/v1/offers/{id}"),
    EventKind.PROPOSAL_MADE: ("proposal", "/api/v1/matching/proposals/{id}"),
    EventKind.MATCH_ACCEPTED: ("match", "/api/v1/matching/matches/{id}"),
    EventKind.MATCH_FULFILLED: ("match", "/api/v1/matching/matches/{id}"),
    EventKind.SPEND_APPROVED: ("spend_line", "/api/v1/funding/spend-lines/{id}"),
    EventKind.TEST: ("endpoint", "/api/v1/webhooks/endpoints/{id}"),
}


def event_data(kind: EventKind, resource_id: str | int) -> dict[str, Any]:
    """A reference and a link, nothing else: partners fetch what they may see through the API."""
    key, path = RESOURCES[kind]
    return {key: str(resource_id), "links": {"self": path.format(id=resource_id)}}


def _subscribed(kind: EventKind) -> list[WebhookEndpoint]:
    endpoints = db.session.execute(select(WebhookEndpoint).where(WebhookEndpoint.is_active.is_(True))).scalars()
    return [endpoint for endpoint in endpoints if endpoint.receives(kind.value)]


def _add_event(kind: EventKind, resource_id: str | int, endpoints: Iterable[WebhookEndpoint]) -> WebhookEvent:
    event = WebhookEvent(kind=kind.value, data=event_data(kind, resource_id))
    db.session.add(event)
    for endpoint in endpoints:
        db.session.add(WebhookDelivery(endpoint=endpoint, event=event))
    return event


def record_events(kind: EventKind, resource_ids: Sequence[str | int]) -> list[WebhookEvent]:
    """One event per record, each with a delivery to every active endpoint that chose this kind. With no such
    endpoint nothing is written. One query for the endpoints, however many records."""
    if not resource_ids:
        return []
    endpoints = _subscribed(kind)
    if not endpoints:
        return []
    events = [_add_event(kind, resource_id, endpoints) for resource_id in resource_ids]
    db.session.flush()
    return events


def record_event(kind: EventKind, resource_id: str | int) -> WebhookEvent | None:
    """Tell partners about a change, in the transaction that makes it (see record_events)."""
    events = record_events(kind, [resource_id])
    return events[0] if events else None


# Administrators' changes.


@dataclass(frozen=True)
class EndpointFields:
    url: str
    description: str
    events: Sequence[str]


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _check_events(events: Sequence[str]) -> list[str]:
    known = {kind.value for kind in SUBSCRIBABLE}
    if any(value not in known for value in events):
        raise FieldError("events", "Choose events from the list")
    if not events:
        raise FieldError("events", "Choose at least one event")
    return [kind.value for kind in SUBSCRIBABLE if kind.value in events]


def register_endpoint(fields: EndpointFields, actor: Any) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret, which is returned here once and never shown again."""
    url = check_url(fields.url, allow_local=bool(current_app.config.get("WEBHOOK_ALLOW_LOCAL", False)))
    description = (fields.description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise FieldError("description", f"Description must be {DESCRIPTION_MAX_LENGTH} characters or fewer")
    events = _check_events(fields.events)
    count = db.session.execute(select(func.count()).select_from(WebhookEndpoint)).scalar_one()
    if count >= MAX_ENDPOINTS:
        raise FieldError("url", f"There are already {MAX_ENDPOINTS} endpoints: delete one you no longer use first")
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=url,
        description=description,
        events=events,
        secret_encrypted=encrypt_secret(secret),
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(endpoint)
    db.session.flush()
    record(
        "webhook_endpoint_registered",
        "webhook_endpoint",
        endpoint.public_id,
        f"host: {_host(url)}; events: {', '.join(events)}",
        actor=actor,
    )
    return endpoint, secret


def set_endpoint_active(endpoint: WebhookEndpoint, active: bool, actor: Any) -> None:
    """A disabled endpoint gets no new events; deliveries already waiting are kept until it is enabled."""
    if endpoint.is_active == active:
        return
    endpoint.is_active = active
    record(
        "webhook_endpoint_enabled" if active else "webhook_endpoint_disabled",
        "webhook_endpoint",
        endpoint.public_id,
        f"host: {_host(endpoint.url)}",
        actor=actor,
    )
    db.session.flush()


def delete_endpoint(endpoint: WebhookEndpoint, actor: Any) -> None:
    """The endpoint and its delivery history go; the audit log keeps that it existed."""
    host = f"host: {_host(endpoint.url)}"
    record("webhook_endpoint_deleted", "webhook_endpoint", endpoint.public_id, host, actor=actor)
    db.session.delete(endpoint)
    db.session.flush()


def send_test_event(endpoint: WebhookEndpoint, actor: Any) -> WebhookEvent:
    """A `webhook.test` event for this endpoint alone, sent by the job like any other."""
    event = _add_event(EventKind.TEST, endpoint.public_id, [endpoint])
    db.session.flush()
    host = f"host: {_host(endpoint.url)}"
    record("webhook_test_event_sent", "webhook_endpoint", endpoint.public_id, host, actor=actor)
    return event


# Reading.


def endpoints_query() -> Select[tuple[WebhookEndpoint]]:
    return select(WebhookEndpoint).order_by(WebhookEndpoint.created_at.desc(), WebhookEndpoint.id.desc())


def get_endpoint(public_id: str) -> WebhookEndpoint | None:
    statement = select(WebhookEndpoint).where(WebhookEndpoint.public_id == public_id)
    return db.session.execute(statement).scalar_one_or_none()


def deliveries_query(endpoint: WebhookEndpoint, status: str | None = None) -> Select[tuple[WebhookDelivery]]:
    statement = (
        select(WebhookDelivery)
        .options(joinedload(WebhookDelivery.event))
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    if status in {s.value for s in DeliveryStatus}:
        statement = statement.where(WebhookDelivery.status == status)
    return statement


def get_delivery(endpoint: WebhookEndpoint, public_id: str) -> WebhookDelivery | None:
    return db.session.execute(
        select(WebhookDelivery)
        .options(joinedload(WebhookDelivery.event), selectinload(WebhookDelivery.attempt_log))
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.public_id == public_id)
    ).scalar_one_or_none()


def delivery_counts() -> dict[int, dict[str, int]]:
    """Per endpoint id, how many deliveries are in each status (for the list page, in one query)."""
    rows = db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.endpoint_id, WebhookDelivery.status
        )
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for endpoint_id, status, count in rows:
        counts.setdefault(endpoint_id, {})[status] = count
    return counts
