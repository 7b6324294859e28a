"""The offers API: the review queue, an offer, and the staff actions on it, with the pages' permissions and
the same service functions (review.py). Reading an offer is audited, as its page is: it shows the offerer's
contact details. A refusal that depends on the offer's status now (it was verified or withdrawn meanwhile)
is a 409; a broken rule about what was sent is a 422 on that field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from flask import request
from flask_login import current_user
from sqlalchemy import asc, select
from sqlalchemy.orm.exc import StaleDataError

from resettle.api.blueprint import ApiBlueprint
from resettle.api.errors import api_abort, field_error
from resettle.api.pagination import Page, keyset_page, page_schema
from resettle.api.versions import matching_version, send_etag
from resettle.audit.services import record
from resettle.auth.permissions import STAFF, roles_required
from resettle.clock import local_today
from resettle.extensions import db
from resettle.offers import review
from resettle.offers.forms.staff import ANY_STATUS
from resettle.offers.models import DbsStatus, Offer, OfferStatus
from resettle.offers.queries import QueueFilters, review_queue_query
from resettle.offers.review import OFFER_ACTORS, VerificationError, needs_dbs_check, needs_housing_checks
from resettle.offers.rules import DbsCheck, HousingChecks
from resettle.offers.schemas import (
    DuplicateOfferSchema,
    OfferChangesSchema,
    OfferDetailSchema,
    OfferFiltersSchema,
    OfferSchema,
    OfferStatusSchema,
    RejectOfferSchema,
    VerifyOfferSchema,
)
from resettle.offers.services import OfferError
from resettle.web.versions import RecordChanged

blp = ApiBlueprint(
    "offers", __name__, tag="Offers", url_prefix="/offers", description="Community offers and their review by staff"
)
OfferPageSchema = page_schema(OfferSchema)
# The refusals that say the offer's status no longer allows the action: another person acted first.
STATUS_FIELD = "status"


def offer_or_404(reference: str) -> Offer:
    offer = db.session.execute(select(Offer).where(Offer.reference == reference.strip().upper())).scalar_one_or_none()
    if offer is None:
        api_abort(404)
    return offer


def _refused(error: OfferError) -> NoReturn:
    field_error(409 if error.field == STATUS_FIELD else 422, error.field, error.message)


@contextmanager
def _saving(offer: Offer) -> Iterator[None]:
    """An action on the offer: If-Match is checked when sent (412 if stale); a save racing another is a 409
    either way, never a lost update. The response carries the offer's new ETag."""
    if request.headers.get("If-Match"):
        with matching_version(offer):
            yield
        return
    try:
        yield
        db.session.flush()
    except (RecordChanged, StaleDataError):
        db.session.rollback()
        field_error(409, "offer", "The offer was changed by someone else at the same moment. Read it again")
    send_etag(offer)


@blp.route("")
@roles_required(*STAFF)
@blp.arguments(OfferFiltersSchema, location="query")
@blp.response(200, OfferPageSchema)
def list_offers(args: dict[str, Any]) -> Page:
    """The review queue, oldest first: submitted offers unless `status` says otherwise."""
    status = args["status"]
    filters = QueueFilters(
        status=None if status == ANY_STATUS else OfferStatus(status),
        category=args.get("category"),
        pool=args.get("pool"),
        search=args.get("search") or None,
        dbs_due=args["dbs_due"],
    )
    statement = review_queue_query(filters, local_today()).order_by(None)
    return keyset_page(statement, [asc(Offer.submitted_at), asc(Offer.id)], args)


@blp.route("/<reference>")
@roles_required(*STAFF)
@blp.response(200, OfferDetailSchema)
def read_offer(reference: str) -> Offer:
    """One offer with its history. Audited, as the offer's page is."""
    offer = offer_or_404(reference)
    record("offer_viewed", "offer", offer.reference, "read the offer through the API")
    send_etag(offer)
    return offer


@blp.route("/<reference>", methods=["PATCH"])
@roles_required(*OFFER_ACTORS)
@blp.arguments(OfferChangesSchema)
@blp.response(200, OfferDetailSchema)
@blp.if_match()
def edit_offer(changes: dict[str, Any], reference: str) -> Offer:
    """Change what staff may edit for this offer's type (its `editable_fields`); only the fields sent change."""
    offer = offer_or_404(reference)
    allowed = set(review.editable_fields(offer))
    refused = {name: ["This offer's type has no such field to change"] for name in changes if name not in allowed}
    if refused:
        api_abort(422, errors=refused)
    values = review.current_changes(offer)
    for name, value in changes.items():
        setattr(values, name, value)
    with matching_version(offer):
        try:
            review.update_offer(offer, values, current_user)
        except OfferError as error:
            _refused(error)
    return offer


def _housing(checks: dict[str, Any]) -> HousingChecks:
    if checks.get("has_gas_supply") is None:
        field_error(422, "has_gas_supply", "Select yes if the home has a gas supply")
    return HousingChecks(
        has_gas_supply=bool(checks["has_gas_supply"]),
        gas_safety_checked_on=checks.get("gas_safety_checked_on"),
        electrical_report_on=checks.get("electrical_report_on"),
        epc_rating=checks.get("epc_rating"),
        smoke_alarms_every_storey=checks["smoke_alarms_every_storey"],
        co_alarm_where_needed=checks["co_alarm_where_needed"],
        inspected_on=checks.get("inspected_on"),
    )


@blp.route("/<reference>/verify", methods=["POST"])
@roles_required(*OFFER_ACTORS)
@blp.arguments(VerifyOfferSchema)
@blp.response(200, OfferDetailSchema)
def verify_offer(checks: dict[str, Any], reference: str) -> Offer:
    """Verify a submitted offer once every check its type needs is met (homes: the housing checks; people
    who work with families: a DBS check)."""
    offer = offer_or_404(reference)
    housing = _housing(checks) if needs_housing_checks(offer) else None
    dbs_status: DbsStatus | None = checks.get("dbs_status")
    dbs = DbsCheck(dbs_status, checks.get("dbs_expires_on")) if needs_dbs_check(offer) else None
    with _saving(offer):
        try:
            review.verify_offer(offer, current_user, housing=housing, dbs=dbs, note=checks["note"])
        except VerificationError as error:
            status = 409 if STATUS_FIELD in error.problems else 422
            api_abort(status, errors={name: [message] for name, message in error.problems.items()})
    return offer


@blp.route("/<reference>/reject", methods=["POST"])
@roles_required(*OFFER_ACTORS)
@blp.arguments(RejectOfferSchema)
@blp.response(200, OfferDetailSchema)
def reject_offer(body: dict[str, Any], reference: str) -> Offer:
    """Reject with a reason, which is emailed to the person who made the offer."""
    offer = offer_or_404(reference)
    with _saving(offer):
        try:
            review.reject_offer(offer, body["reason"], current_user)
        except OfferError as error:
            _refused(error)
    return offer


@blp.route("/<reference>/duplicate", methods=["POST"])
@roles_required(*OFFER_ACTORS)
@blp.arguments(DuplicateOfferSchema)
@blp.response(200, OfferDetailSchema)
def mark_offer_duplicate(body: dict[str, Any], reference: str) -> Offer:
    """Close an offer that repeats another (the offerer is not emailed: their other offer carries on)."""
    offer = offer_or_404(reference)
    with _saving(offer):
        try:
            review.mark_duplicate(offer, body["original_reference"], current_user)
        except OfferError as error:
            _refused(error)
    return offer


@blp.route("/<reference>/status", methods=["POST"])
@roles_required(*OFFER_ACTORS)
@blp.arguments(OfferStatusSchema)
@blp.response(200, OfferDetailSchema)
def change_offer_status(body: dict[str, Any], reference: str) -> Offer:
    """Move the offer on in its lifecycle (matched, fulfilled, back to verified, withdrawn)."""
    offer = offer_or_404(reference)
    with _saving(offer):
        try:
            review.set_status(offer, OfferStatus(body["status"]), current_user, body["note"])
        except OfferError as error:
            _refused(error)
    return offer


@blp.route("/<reference>/pool", methods=["POST"])
@roles_required(*OFFER_ACTORS)
@blp.response(200, OfferDetailSchema)
def move_offer_to_pool(reference: str) -> Offer:
    """Move an offer from the waiting list to the active pool that matching draws from."""
    offer = offer_or_404(reference)
    with _saving(offer):
        review.move_to_active_pool(offer, current_user)
    return offer
