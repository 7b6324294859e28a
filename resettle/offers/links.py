"""The offerer's private link: a signed, expiring token naming the offer by its unguessable public id.

Residents have no accounts. The link in their email is the only way to see an offer's status, change its
dates or withdraw it, so it is signed with the app's secret (tampering breaks it) and stops working after
OFFER_LINK_MAX_AGE_DAYS; every reminder email carries a fresh one.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from resettle.extensions import db
from resettle.offers.models import Offer


def link_max_age_days() -> int:
    return int(current_app.config["OFFER_LINK_MAX_AGE_DAYS"])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="resettle-offer-link")


def make_offer_token(offer: Offer) -> str:
    return _serializer().dumps({"offer": offer.public_id})


def offer_for_token(token: str) -> Offer | None:
    """The offer a token names, or None when it is tampered with, expired or names no offer."""
    try:
        payload = _serializer().loads(token, max_age=link_max_age_days() * 24 * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("offer"), str):
        return None
    return db.session.execute(select(Offer).where(Offer.public_id == payload["offer"])).scalar_one_or_none()


def absolute_url(endpoint: str, **values: Any) -> str:
    """An address on BASE_URL for emails, from a request or from a scheduled job (which has no request)."""
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context("/"):
            path = url_for(endpoint, **values)
    return str(current_app.config["BASE_URL"]).rstrip("/") + path


def offer_link(offer: Offer) -> str:
    """The absolute address of the offer's private page, for emails."""
    return absolute_url("offers_public.manage_offer", token=make_offer_token(offer))
