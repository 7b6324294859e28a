"""Delivery to a real partner server on 127.0.0.1: the signature verifies, a 500 is retried after a doubling
delay, the job gives up after the configured attempts, and a partner that never answers costs a timeout."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from resettle.db import utcnow
from resettle.jobs import load_jobs
from resettle.jobs.runner import run_job
from resettle.webhooks.delivery import deliver_pending_webhooks, forget_old_deliveries, retry_delay
from resettle.webhooks.models import DeliveryStatus, EventKind, WebhookAttempt, WebhookDelivery, WebhookEvent
from resettle.webhooks.services import record_event, set_endpoint_active
from resettle.webhooks.signing import decrypt_secret
from tests.webhooks.partner import HANG, PartnerServer

Partners = Callable[..., PartnerServer]


def _delivery(database: Any) -> WebhookDelivery:
    delivery: WebhookDelivery = database.session.execute(select(WebhookDelivery)).scalar_one()
    return delivery


def _attempts(database: Any) -> list[WebhookAttempt]:
    return list(database.session.execute(select(WebhookAttempt).order_by(WebhookAttempt.id)).scalars())


def test_a_delivery_is_signed_json_that_the_partner_can_verify(
    database: Any, partners: Partners, register: Any
) -> None:
    partner = partners()
    endpoint, secret = register(partner.url)
    event = record_event(EventKind.MATCH_ACCEPTED, 42)
    assert event is not None
    database.session.commit()

    assert deliver_pending_webhooks() == 1

    [received] = partner.received
    assert received.path == "/hooks/resettle?source=council"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["Resettle-Event"] == "match.accepted"
    # What a partner does: HMAC-SHA256 over "<timestamp>.<body>" with the secret they were shown.
    timestamp = received.headers["Resettle-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + received.body, hashlib.sha256).hexdigest()
    assert received.headers["Resettle-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60
    assert json.loads(received.body) == {
        "event": "match.accepted",
        "id": event.public_id,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "data": {"match": "42", "links": {"self": "/api/v1/matching/matches/42"}},
    }
    delivery = _delivery(database)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    [attempt] = _attempts(database)
    assert attempt.status_code == 200 and attempt.error == ""
    # Sent once: a second run has nothing to do.
    assert deliver_pending_webhooks() == 0 and len(partner.received) == 1


def test_a_tampered_body_or_another_secret_does_not_verify(database: Any, partners: Partners, register: Any) -> None:
    from resettle.webhooks.signing import signature_matches

    partner = partners()
    _, secret = register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 7)
    database.session.commit()
    deliver_pending_webhooks()
    [received] = partner.received
    timestamp, header = int(received.headers["Resettle-Timestamp"]), received.headers["Resettle-Signature"]
    assert signature_matches(secret, timestamp, received.body, header)
    assert not signature_matches(secret, timestamp, received.body.replace(b"7", b"8"), header)
    assert not signature_matches(secret, timestamp + 1, received.body, header)
    assert not signature_matches("whsec_another", timestamp, received.body, header)


def test_a_500_is_retried_after_a_doubling_delay_and_then_delivered(
    database: Any, partners: Partners, register: Any, time_machine: Any
) -> None:
    time_machine.move_to(utcnow(), tick=True)
    partner = partners([500, 503, 200])
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()

    assert deliver_pending_webhooks() == 0
    delivery = _delivery(database)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at is not None
    assert timedelta(seconds=55) < delivery.next_attempt_at - utcnow() <= timedelta(seconds=60)
    # Not due yet: nothing is sent.
    assert deliver_pending_webhooks() == 0 and len(partner.received) == 1

    time_machine.shift(timedelta(seconds=61))
    assert deliver_pending_webhooks() == 0
    delivery = _delivery(database)
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at is not None
    assert timedelta(seconds=115) < delivery.next_attempt_at - utcnow() <= timedelta(seconds=120)

    time_machine.shift(timedelta(seconds=121))
    assert deliver_pending_webhooks() == 1
    assert [a.status_code for a in _attempts(database)] == [500, 503, 200]
    assert _delivery(database).status == "delivered"
    # Every attempt carried the same event, freshly signed.
    assert len({r.body for r in partner.received}) == 1


def test_the_job_gives_up_after_the_configured_attempts(
    app: Flask, database: Any, partners: Partners, register: Any, time_machine: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 3)
    time_machine.move_to(utcnow(), tick=True)
    partner = partners([500, 500, 500, 200])
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()

    for _ in range(5):
        deliver_pending_webhooks()
        time_machine.shift(timedelta(days=1))

    delivery = _delivery(database)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(partner.received) == 3
    assert [a.status_code for a in _attempts(database)] == [500, 500, 500]


def test_a_partner_that_never_answers_times_out_without_holding_up_the_others(
    database: Any, partners: Partners, register: Any
) -> None:
    hung = partners([HANG, HANG])
    working = partners()
    register(hung.url)
    register(working.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    record_event(EventKind.MATCH_ACCEPTED, 2)
    database.session.commit()

    started = time.monotonic()
    delivered = deliver_pending_webhooks()
    took = time.monotonic() - started

    assert took < 5, f"the job waited {took:.1f} s for a partner that never answers"
    assert delivered == 2 and len(working.received) == 2
    # One attempt at the hung partner in this run; its other delivery waits for the next run.
    assert len(hung.received) == 1
    attempts = [a for a in _attempts(database) if a.status_code is None]
    assert len(attempts) == 1 and "No answer within 1 seconds" in attempts[0].error
    hung_deliveries = database.session.execute(
        select(WebhookDelivery).where(WebhookDelivery.status == DeliveryStatus.PENDING.value)
    ).scalars()
    assert sorted(d.attempts for d in hung_deliveries) == [0, 1]


def test_a_redirect_is_not_followed(database: Any, partners: Partners, register: Any) -> None:
    partner = partners([302])
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    assert deliver_pending_webhooks() == 0
    assert _delivery(database).last_status_code == 302 and _delivery(database).status == "pending"


def test_a_partner_that_is_down_is_retried(database: Any, partners: Partners, register: Any) -> None:
    partner = partners()
    url = partner.url
    partner.close()
    register(url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    assert deliver_pending_webhooks() == 0
    delivery = _delivery(database)
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "ConnectionRefusedError" in delivery.last_error


def test_retry_delays_double_up_to_the_maximum(app: Flask, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_MAX_SECONDS", 3600)
    with app.app_context():
        assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 20)] == [60, 120, 240, 480, 3600, 3600]


def test_a_disabled_endpoint_gets_nothing_until_enabled(database: Any, partners: Partners, register: Any) -> None:
    partner = partners()
    endpoint, _ = register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    set_endpoint_active(endpoint, False, None)
    assert record_event(EventKind.MATCH_ACCEPTED, 2) is None  # no endpoint wants it now
    database.session.commit()
    assert deliver_pending_webhooks() == 0 and partner.received == []
    set_endpoint_active(endpoint, True, None)
    database.session.commit()
    assert deliver_pending_webhooks() == 1 and len(partner.received) == 1


def test_a_delivery_another_process_is_sending_is_left_alone(database: Any, partners: Partners, register: Any) -> None:
    partner = partners()
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    delivery = _delivery(database)
    delivery.claimed_until = utcnow() + timedelta(minutes=1)
    database.session.commit()
    assert deliver_pending_webhooks() == 0 and partner.received == []


def test_only_endpoints_that_chose_the_event_get_it(database: Any, partners: Partners, register: Any) -> None:
    matches, offers = partners(), partners()
    register(matches.url, [EventKind.MATCH_ACCEPTED])
    register(offers.url, [EventKind.OFFER_SUBMITTED, EventKind.OFFER_VERIFIED])
    record_event(EventKind.OFFER_VERIFIED, "OF-7KQ2MX")
    database.session.commit()
    assert deliver_pending_webhooks() == 1
    assert matches.received == []
    assert json.loads(offers.received[0].body)["data"] == {
        "offer": "OF-7KQ2MX",
        "links": {"self": "/api/v1/offers/OF-7KQ2MX"},
    }


def test_nothing_is_written_when_no_endpoint_wants_the_event(database: Any) -> None:
    assert record_event(EventKind.SPEND_APPROVED, "abc") is None
    assert database.session.execute(select(WebhookEvent)).first() is None


def test_the_secret_is_stored_encrypted_and_another_key_cannot_read_it(
    app: Flask, database: Any, partners: Partners, register: Any, monkeypatch: Any
) -> None:
    partner = partners()
    endpoint, secret = register(partner.url)
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in endpoint.secret_encrypted
    assert decrypt_secret(endpoint.secret_encrypted) == secret
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_SECRETS_KEY", "a-different-key")
    assert deliver_pending_webhooks() == 0 and partner.received == []
    assert "cannot be decrypted" in _delivery(database).last_error
    # Rotation: the new key first, the old one still decrypts.
    monkeypatch.setitem(app.config, "WEBHOOK_SECRETS_KEY", f"a-different-key,{app.config['SECRET_KEY']}")
    assert decrypt_secret(endpoint.secret_encrypted) == secret


def test_the_scheduler_runs_the_delivery_job(database: Any, partners: Partners, register: Any) -> None:
    partner = partners()
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    job = load_jobs()["deliver_webhooks"]
    assert job.trigger == "interval" and job.trigger_args == {"minutes": 1}
    assert run_job(job) == 1 and len(partner.received) == 1


def test_in_production_a_local_address_is_refused_when_delivering(
    app: Flask, database: Any, partners: Partners, register: Any, monkeypatch: Any
) -> None:
    """Even a URL that passed when registered is checked again before each call (it may now resolve elsewhere)."""
    partner = partners()
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_LOCAL", False)
    assert deliver_pending_webhooks() == 0 and partner.received == []
    assert "private or local address" in _delivery(database).last_error


def test_old_history_is_forgotten_but_waiting_deliveries_are_kept(
    database: Any, partners: Partners, register: Any, time_machine: Any
) -> None:
    time_machine.move_to(utcnow(), tick=True)
    partner = partners([200, 500])
    register(partner.url)
    record_event(EventKind.MATCH_ACCEPTED, 1)
    database.session.commit()
    deliver_pending_webhooks()  # delivered
    record_event(EventKind.MATCH_ACCEPTED, 2)
    database.session.commit()
    deliver_pending_webhooks()  # answered 500: waiting for its next try
    time_machine.shift(timedelta(days=91))
    assert forget_old_deliveries() == 1
    database.session.commit()
    [kept] = database.session.execute(select(WebhookDelivery)).scalars()
    assert kept.status == "pending" and kept.event.data["match"] == "2"
    assert [a.status_code for a in _attempts(database)] == [500]
    assert len(database.session.execute(select(WebhookEvent)).all()) == 1
    assert "forget_old_webhook_deliveries" in load_jobs()
