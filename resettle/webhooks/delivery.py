"""Sending webhook deliveries: the `deliver_webhooks` job.

Like the email outbox (resettle/notifications/email.py), no transaction is open while talking to a partner:
a delivery is claimed in a short transaction (`claimed_until`), sent, and its outcome recorded in another.
Every connection has a timeout on connecting and on each read (`WEBHOOK_TIMEOUT_SECONDS`), redirects are
not followed, and an endpoint that times out is not tried again in the same run, so one partner that never
answers costs the job seconds and holds up no one else. A failed attempt is retried after a doubling delay
(`WEBHOOK_RETRY_BASE_SECONDS`, at most `WEBHOOK_RETRY_MAX_SECONDS`) until `WEBHOOK_MAX_ATTEMPTS`.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, or_, select, update

from resettle.db import utcnow
from resettle.extensions import db
from resettle.webhooks.addresses import AddressRefused, Target, address_to_call, target_of
from resettle.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from resettle.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SecretUnreadable, decrypt_secret, signature

# The job stops starting new deliveries after this long.
JOB_TIME_BUDGET_SECONDS = 60
# Only the status matters; a partner's answer body is read up to this much and dropped.
RESPONSE_READ_LIMIT = 1024
USER_AGENT = "Resettle-Webhooks/1"


@dataclass(frozen=True)
class _Claimed:
    id: int
    public_id: str
    endpoint_id: int
    url: str
    secret_encrypted: str
    kind: str
    body: bytes
    attempts: int


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_of(event: WebhookEvent) -> bytes:
    """The JSON body, the same bytes on every attempt."""
    return json.dumps(event.payload(), separators=(",", ":"), sort_keys=True).encode()


def _timeout() -> float:
    return float(current_app.config.get("WEBHOOK_TIMEOUT_SECONDS", 5))


def _claim_lease() -> timedelta:
    # Long enough for an attempt to time out connecting and reading.
    return timedelta(seconds=4 * _timeout() + 30)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling from the base, capped."""
    base = float(current_app.config.get("WEBHOOK_RETRY_BASE_SECONDS", 60))
    most = float(current_app.config.get("WEBHOOK_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(most, base * 2 ** max(0, attempts - 1)))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, not to whatever the name resolves to a moment later."""

    def __init__(self, target: Target, address: str, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name in the URL.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float, allow_local: bool) -> Outcome:
    """POST the body; never raises for a network problem, which is reported in the outcome instead."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    target = target_of(url)
    connection: http.client.HTTPConnection | None = None
    try:
        address = address_to_call(target, allow_local)
        if target.scheme == "https":
            connection = _PinnedHTTPSConnection(target, address, timeout, ssl.create_default_context())
        else:
            connection = _PinnedHTTPConnection(target, address, timeout)
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ_LIMIT)
        return Outcome(response.status, "" if 200 <= response.status < 300 else response.reason[:200], took())
    except TimeoutError as error:
        return Outcome(None, f"No answer within {timeout:g} seconds ({error or 'timed out'})", took())
    except AddressRefused as error:
        return Outcome(None, str(error), took())
    except (OSError, http.client.HTTPException, UnicodeError) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:500], took())
    finally:
        if connection is not None:
            connection.close()


def _claim(delivery_id: int) -> _Claimed | None:
    """Take the delivery for sending, in a short transaction of its own. None if it is not ours to send."""
    now = utcnow()
    result = cast(
        CursorResult[Any],
        db.session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING.value,
                or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
            )
            .values(attempts=WebhookDelivery.attempts + 1, claimed_until=now + _claim_lease())
            .execution_options(synchronize_session=False)
        ),
    )
    claimed = None
    if result.rowcount == 1:
        delivery, endpoint, event = db.session.execute(
            select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
            .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
            .join(WebhookEvent, WebhookDelivery.event_id == WebhookEvent.id)
            .where(WebhookDelivery.id == delivery_id)
            .execution_options(populate_existing=True)
        ).one()
        claimed = _Claimed(
            delivery.id,
            delivery.public_id,
            endpoint.id,
            endpoint.url,
            endpoint.secret_encrypted,
            event.kind,
            body_of(event),
            delivery.attempts,
        )
    db.session.commit()
    return claimed


def _record(claimed: _Claimed, outcome: Outcome, attempted_at: datetime) -> None:
    delivery = db.session.get(WebhookDelivery, claimed.id, populate_existing=True)
    if delivery is None:
        db.session.commit()
        return  # the endpoint was deleted meanwhile
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=attempted_at,
            status_code=outcome.status_code,
            error=outcome.error[:500],
            duration_ms=outcome.duration_ms,
        )
    )
    delivery.claimed_until = None
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    if outcome.succeeded:
        delivery.status = DeliveryStatus.DELIVERED.value
        delivery.delivered_at = utcnow()
        delivery.next_attempt_at = None
    elif claimed.attempts >= int(current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 10)):
        delivery.status = DeliveryStatus.FAILED.value
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = utcnow() + retry_delay(claimed.attempts)
    db.session.commit()


def _send(claimed: _Claimed) -> Outcome:
    try:
        secret = decrypt_secret(claimed.secret_encrypted)
    except SecretUnreadable as error:
        return Outcome(None, str(error), 0)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, claimed.body),
        "Resettle-Event": claimed.kind,
        "Resettle-Delivery": claimed.public_id,
    }
    allow_local = bool(current_app.config.get("WEBHOOK_ALLOW_LOCAL", False))
    return post(claimed.url, claimed.body, headers, _timeout(), allow_local)


def deliver(delivery_id: int) -> Outcome | None:
    """Make one attempt at a delivery if it is due to nobody else. None when there was nothing to do."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return None
    attempted_at = utcnow()
    outcome = _send(claimed)
    if not outcome.succeeded:
        current_app.logger.warning(
            "webhook delivery %s (attempt %s) failed: %s",
            claimed.public_id,
            claimed.attempts,
            outcome.error or outcome.status_code,
        )
    _record(claimed, outcome, attempted_at)
    return outcome


def due_deliveries(limit: int) -> list[tuple[int, int]]:
    """(delivery id, endpoint id) of deliveries due now to active endpoints, oldest first."""
    now = utcnow()
    rows = db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id)
        .join(WebhookEndpoint, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING.value,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.is_active.is_(True),
            or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    ).all()
    return [(row[0], row[1]) for row in rows]


def deliver_pending_webhooks(limit: int = 200) -> int:
    """Attempt every delivery that is due (scheduled job). Returns how many were delivered. Commits as it goes,
    one short transaction per delivery; skips, for the rest of the run, an endpoint that failed to answer, and
    stops starting new deliveries after JOB_TIME_BUDGET_SECONDS."""
    due = due_deliveries(limit)
    db.session.commit()
    deadline = time.monotonic() + JOB_TIME_BUDGET_SECONDS
    unreachable: set[int] = set()
    delivered = 0
    for delivery_id, endpoint_id in due:
        if time.monotonic() > deadline:
            break
        if endpoint_id in unreachable:
            continue  # its next attempt waits for the next run
        outcome = deliver(delivery_id)
        if outcome is None:
            continue
        if outcome.succeeded:
            delivered += 1
        elif outcome.status_code is None:
            unreachable.add(endpoint_id)
    return delivered


def forget_old_deliveries() -> int:
    """Delivered and given-up deliveries older than WEBHOOK_HISTORY_DAYS go, with their attempts, and so do
    events no delivery refers to any more. Returns how many deliveries went."""
    cutoff = utcnow() - timedelta(days=int(current_app.config.get("WEBHOOK_HISTORY_DAYS", 90)))
    removed = cast(
        CursorResult[Any],
        db.session.execute(
            delete(WebhookDelivery)
            .where(WebhookDelivery.status != DeliveryStatus.PENDING.value, WebhookDelivery.created_at < cutoff)
            .execution_options(synchronize_session=False)
        ),
    )
    db.session.execute(
        delete(WebhookAttempt)
        .where(~select(WebhookDelivery.id).where(WebhookDelivery.id == WebhookAttempt.delivery_id).exists())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(WebhookEvent)
        .where(~select(WebhookDelivery.id).where(WebhookDelivery.event_id == WebhookEvent.id).exists())
        .execution_options(synchronize_session=False)
    )
    return int(removed.rowcount or 0)
