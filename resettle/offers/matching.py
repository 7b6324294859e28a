"""Offers as the matching engine reads them (../shared/matching/SPEC.md, `offers` list).

A goods offer becomes one engine offer per item line, so a need for a cot is met by the cot line and its
quantity is that line's capacity. Attributes are left out when unknown, which the engine reads as "no
information" (for example, a home with no recorded step-free access is not step-free).
"""

from __future__ import annotations

from typing import Any

from resettle.offers.models import Offer


def _attributes(offer: Offer) -> dict[str, Any]:
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
    if offer.location is not None:
        attributes["location"] = [offer.latitude, offer.longitude]
    return attributes


def problem_offers(offer: Offer) -> list[dict[str, Any]]:
    """This offer as entries of the engine's `offers` list; ids are the offer's reference (plus the item line)."""
    common = {
        "cost": offer.cost_pence,
        "available_from": offer.available_from.isoformat() if offer.available_from else None,
        "available_until": offer.available_until.isoformat() if offer.available_until else None,
    }
    if not offer.items:
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
            "category": item.category.value,
            "capacity": item.quantity,
            **common,
            "attributes": {**_attributes(offer), "item": item.item_kind},
        }
        for index, item in enumerate(offer.items, start=1)
    ]
