"""Offers as the matching engine reads them (../shared/matching/SPEC.md, `offers` list).

A goods offer becomes one engine offer per item line, so a need for a cot is met by the cot line and its
quantity is that line's capacity. Attributes are left out when unknown, which the engine reads as "no
information" (for example, a home with no recorded step-free access is not step-free).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from resettle.offers.models import Offer, OfferItem, OfferStatus
from resettle.taxonomy import ITEM_KINDS

# The columns the engine's entries are made of: the problem builder reads these, not whole records.
OFFER_FIELDS = (
    Offer.id,
    Offer.reference,
    Offer.category,
    Offer.capacity,
    Offer.cost_pence,
    Offer.available_from,
    Offer.available_until,
    Offer.bedrooms,
    Offer.rent_pence,
    Offer.step_free,
    Offer.halal,
    Offer.home_visit,
    Offer.languages,
    Offer.latitude,
    Offer.longitude,
)
ITEM_FIELDS = (OfferItem.offer_id, OfferItem.id, OfferItem.item_kind, OfferItem.quantity)


def matchable_condition() -> Any:
    """The offers the engine may use (as `matchable_offers_query`): verified and in the active pool."""
    return (Offer.status == OfferStatus.VERIFIED) & Offer.on_waiting_list.is_(False)


def matchable_offer_fields() -> tuple[Select[Any], Select[Any]]:
    """Two statements for every matchable offer's engine fields and its item lines (in line order), read as
    plain rows: `problem_offer_entries(row, items)` makes the same entries as `problem_offers(offer)`."""
    offers = select(*OFFER_FIELDS).where(matchable_condition()).order_by(Offer.id)
    items = (
        select(*ITEM_FIELDS)
        .join(Offer, Offer.id == OfferItem.offer_id)
        .where(matchable_condition())
        .order_by(OfferItem.offer_id, OfferItem.id)
    )
    return offers, items


def _attributes(offer: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if offer.bedrooms is not None:
        attributes["bedrooms"] = offer.bedrooms
    if offer.rent_pence is not None:
        attributes["rent"] = offer.rent_pence
    for flag in ("step_free", "halal", "home_visit"):
        if getattr(offer, flag) is not None:
            attributes[flag] = bool(getattr(offer, flag))
    if offer.languages:
        attributes["languages"] = list(offer.languages)
    if offer.latitude is not None and offer.longitude is not None:
        attributes["location"] = [offer.latitude, offer.longitude]
    return attributes


def problem_offers(offer: Offer) -> list[dict[str, Any]]:
    """This offer as entries of the engine's `offers` list; ids are the offer's reference (plus the item line)."""
    return problem_offer_entries(offer, offer.items)


def problem_offer_entries(offer: Any, items: Sequence[Any]) -> list[dict[str, Any]]:
    """The entries of an offer given its fields (a record or a row of OFFER_FIELDS) and its item lines (records
    or rows of ITEM_FIELDS, in line order)."""
    common = {
        "cost": offer.cost_pence,
        "available_from": offer.available_from.isoformat() if offer.available_from else None,
        "available_until": offer.available_until.isoformat() if offer.available_until else None,
    }
    if not items:
        return [
            {
                "id": offer.reference,
                "category": offer.category.value,
                "capacity": offer.capacity,
                **common,
                "attributes": _attributes(offer),
            }
        ]
    return [
        {
            "id": f"{offer.reference}-{index}",
            "category": ITEM_KINDS[item.item_kind].category.value,
            "capacity": item.quantity,
            **common,
            "attributes": {**_attributes(offer), "item": item.item_kind},
        }
        for index, item in enumerate(items, start=1)
    ]
