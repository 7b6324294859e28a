"""Read-side helpers for staff pages and for the matching engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from resettle.offers.models import Offer, OfferItem, OfferStatus
from resettle.offers.rules import DBS_EXPIRY_WARNING_DAYS
from resettle.taxonomy import Category

POOL_ACTIVE = "active"
POOL_WAITING = "waiting"


@dataclass
class QueueFilters:
    status: OfferStatus | None = OfferStatus.SUBMITTED
    category: Category | None = None
    pool: str | None = None  # "active" or "waiting"
    search: str | None = None  # reference, name, organisation or email
    dbs_due: bool = False


def review_queue_query(filters: QueueFilters, today: date) -> Select[Any]:
    """Offers for the review queue, oldest first so nobody waits longest."""
    statement = select(Offer).order_by(Offer.submitted_at, Offer.id).options(selectinload(Offer.items))
    if filters.status is not None:
        statement = statement.where(Offer.status == filters.status)
    if filters.category is not None:
        statement = statement.where(Offer.category == filters.category)
    if filters.pool == POOL_ACTIVE:
        statement = statement.where(Offer.on_waiting_list.is_(False))
    elif filters.pool == POOL_WAITING:
        statement = statement.where(Offer.on_waiting_list.is_(True))
    if filters.search:
        pattern = f"%{filters.search.strip()}%"
        statement = statement.where(
            or_(
                Offer.reference.ilike(pattern),
                Offer.offerer_name.ilike(pattern),
                Offer.organisation.ilike(pattern),
                Offer.offerer_email.ilike(pattern),
            )
        )
    if filters.dbs_due:
        statement = statement.where(
            Offer.dbs_expires_on.is_not(None),
            Offer.dbs_expires_on <= today + timedelta(days=DBS_EXPIRY_WARNING_DAYS),
            Offer.status.in_([OfferStatus.VERIFIED, OfferStatus.MATCHED]),
        )
    return statement


def offers_export_query(filters: QueueFilters, today: date) -> Select[Any]:
    """The review queue's offers as the CSV export lists them: one statement of plain columns, each offer's items
    joined (one row per item, in the items' order, for the offer's title), read as it is sent."""
    return (
        review_queue_query(filters, today)
        .with_only_columns(
            Offer.id,
            Offer.reference,
            Offer.category,
            Offer.status,
            Offer.on_waiting_list,
            Offer.bedrooms,
            Offer.description,
            Offer.offerer_name,
            Offer.organisation,
            Offer.offerer_email,
            Offer.offerer_phone,
            Offer.postcode,
            Offer.capacity,
            Offer.cost_pence,
            Offer.available_from,
            Offer.available_until,
            Offer.submitted_at,
            OfferItem.quantity,
            OfferItem.item_kind,
        )
        .outerjoin(OfferItem, OfferItem.offer_id == Offer.id)
        .order_by(OfferItem.id)
    )


def matchable_offers_query() -> Select[Any]:
    """Offers the matching engine may use: verified and in the active pool."""
    return (
        select(Offer)
        .where(Offer.status == OfferStatus.VERIFIED, Offer.on_waiting_list.is_(False))
        .order_by(Offer.id)
        .options(selectinload(Offer.items))
    )
