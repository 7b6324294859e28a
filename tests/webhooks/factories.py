"""Webhook endpoints, events and deliveries for tests."""

from __future__ import annotations

import factory

from resettle.webhooks.models import EventKind, WebhookDelivery, WebhookEndpoint, WebhookEvent
from resettle.webhooks.services import event_data
from resettle.webhooks.signing import encrypt_secret
from tests.factories import BaseFactory

TEST_SECRET = "whsec_test-secret-for-the-suite"


class WebhookEndpointFactory(BaseFactory):
    class Meta:
        model = WebhookEndpoint

    url = factory.Sequence(lambda n: f"https://partner{n}.example/resettle-events")
    description = "A partner charity"
    events = factory.LazyFunction(lambda: [EventKind.MATCH_ACCEPTED.value, EventKind.OFFER_SUBMITTED.value])
    secret_encrypted = factory.LazyFunction(lambda: encrypt_secret(TEST_SECRET))
    is_active = True


class WebhookEventFactory(BaseFactory):
    class Meta:
        model = WebhookEvent

    kind = EventKind.MATCH_ACCEPTED.value
    data = factory.LazyFunction(lambda: event_data(EventKind.MATCH_ACCEPTED, 1))


class WebhookDeliveryFactory(BaseFactory):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    event = factory.SubFactory(WebhookEventFactory)
