"""/api/v1/public: the public offer form as JSON and the /needed figures. No token: like the pages, these are
for anyone, and limited per address.

`POST /public/offers` is the form: the same checks (the form itself, see public_schemas.py), the same per-address
limit, the same honeypot (`website`: a request that fills it is answered 202 and dropped, as the form thanks a
robot and saves nothing), the same service and confirmation email. `Idempotency-Key` makes a resend safe: there
is no account to keep keys under, so a key is stored (as a hash, with one-time form keys) together with a hash
of the request, and only the same request with the same key is answered with the first offer's reference.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import api_abort, field_error
from resettle.api.idempotency import KEY_PATTERN, request_hash
from resettle.auth.permissions import public_route
from resettle.extensions import db, limiter
from resettle.offers.forms.public import submission_from
from resettle.offers.needed import MIN_FAMILIES, NeededLine, needed_lines_now
from resettle.offers.public_schemas import (
    NeededSchema,
    OfferReceivedSchema,
    PublicOfferSchema,
    form_errors,
    formdata_from,
    offer_form_for_data,
)
from resettle.offers.services import submit_offer
from resettle.offers.views.public import PAGE_RATE_LIMIT
from resettle.taxonomy import Category
from resettle.web.submissions import SubmissionKey

blp = ApiBlueprint(
    "public",
    __name__,
    tag="Public",
    url_prefix="/public",
    description="For anyone, without a token: offering help, and what families need now",
)

RECEIVED = "Thank you. We have sent the reference and a private link to the email address given."


class PublicIdempotencyKeySchema(Schema):
    idempotency_key = fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=validate.Regexp(KEY_PATTERN, error="Use 16 to 100 letters, digits, - or _ (a new UUID will do)"),
        error_messages={"required": "Send an Idempotency-Key header, new for each offer"},
        metadata={"description": "A key new for each offer; resend it with the same offer to retry safely"},
    )


def _form_rate_limit() -> str:
    return str(current_app.config["OFFER_FORM_RATE_LIMIT"])


def _stored_key(idempotency_key: str) -> str:
    # Kept beside the pages' one-time form keys, hashed and marked, so neither can answer for the other.
    return "api-offer-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:48]


def _earlier(key: str, this_request: str) -> str | None:
    """The reference an earlier request with this key made, or None when the key is new."""
    stored = db.session.execute(select(SubmissionKey.result_url).where(SubmissionKey.key == key)).scalar_one_or_none()
    if stored is None:
        return None
    earlier_request, _, reference = stored.partition(" ")
    if earlier_request != this_request:
        field_error(422, "Idempotency-Key", "This key was sent before with another offer. Use a new key")
    return reference


@blp.route("/offers", methods=["POST"])
@public_route
@limiter.limit(_form_rate_limit)
@blp.arguments(PublicIdempotencyKeySchema, location="headers", as_kwargs=True)
@blp.arguments(PublicOfferSchema)
@blp.response(201, OfferReceivedSchema)
@blp.alt_response(202, schema=OfferReceivedSchema, description="Received (an offer that filled `website`)")
def submit_public_offer(data: dict[str, Any], idempotency_key: str) -> Any:
    """Offer help, as on the public form. The person is emailed the reference and a private link."""
    category = Category(data["offer_type"])
    form = offer_form_for_data(category, formdata_from(data))
    if not form.validate():
        api_abort(422, errors=form_errors(form))
    if form.is_robot:
        current_app.logger.info("API offer honeypot filled; nothing saved")
        return {"message": RECEIVED}, 202
    key, this_request = _stored_key(idempotency_key), request_hash()
    reference = _earlier(key, this_request)
    if reference is not None:
        return (
            {"reference": reference, "status": "submitted", "message": RECEIVED},
            201,
            {"Idempotent-Replayed": "true"},
        )
    offer = submit_offer(submission_from(form))
    try:
        with db.session.begin_nested():
            db.session.add(SubmissionKey(key=key, result_url=f"{this_request} {offer.reference}"))
    except IntegrityError:
        # Another request with this key committed first: undo this one and answer as that one did.
        db.session.rollback()
        reference = _earlier(key, this_request)
        if reference is None:
            field_error(409, "Idempotency-Key", "Another request with this key is being handled. Try again")
        return (
            {"reference": reference, "status": "submitted", "message": RECEIVED},
            201,
            {"Idempotent-Replayed": "true"},
        )
    return {"reference": offer.reference, "status": offer.status.value, "message": RECEIVED}, 201


@blp.route("/needed")
@public_route
@limiter.limit(PAGE_RATE_LIMIT)
@blp.response(200, NeededSchema)
def list_public_needs() -> dict[str, Any]:
    """What families need now, as the public /needed page lists it: only needs at least `minimum_families`
    families share, with counts rounded."""
    lines: list[NeededLine] = needed_lines_now()
    return {
        "lines": [
            {"offer_type": line.offer_type.value, "text": line.text, "families": line.families} for line in lines
        ],
        "minimum_families": MIN_FAMILIES,
    }
