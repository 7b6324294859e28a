"""The gap report: the needs the latest run could not meet, grouped by kind, reason and blocking rules, in
words staff (and, aggregated, the public) can act on: "7 housing needs: no offer with 4 or more bedrooms at
or under the LHA rate".

`gap_groups` is a pure function over `GapRow`s. The public `/needed` page reads `public_needed_lines`, which
regroups the same rows by what residents could offer and keeps the offers feature's aggregation rule: a
line only when at least MIN_FAMILIES families are behind it, counts rounded, nothing that identifies a family.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.matching.builder import SUPPORTED_FAMILY_STATUSES
from resettle.matching.models import UnmetNeed, UnmetReason
from resettle.matching.runs import latest_run
from resettle.offers.needed import (
    MIN_FAMILIES,
    NeededLine,
    aggregate_needs,
    offer_type_for,
    open_need_rows,
    rounded_families,
)
from resettle.offers.rules import OFFER_TYPES
from resettle.taxonomy import ITEM_KINDS, Category

# Rules whose failure is not something a resident could fix by offering something different.
PRIVATE_RULES = frozenset({"rejected", "value", "units", "distance", "category"})


@dataclass(frozen=True)
class GapRow:
    """One unmet need, reduced to what the report may use."""

    need_id: int
    family_key: int  # for counting families; never shown
    family_reference: str
    category: Category
    item: str | None
    reason: UnmetReason
    blocking: tuple[str, ...]
    bedrooms_min: int | None = None
    rent_max: int | None = None
    follows_bedroom_standard: bool = False
    language: str | None = None
    max_distance_km: float | None = None


@dataclass(frozen=True)
class GapGroup:
    category: Category
    item: str | None
    reason: UnmetReason
    blocking: tuple[str, ...]
    rows: tuple[GapRow, ...]

    @property
    def need_count(self) -> int:
        return len(self.rows)

    @property
    def family_count(self) -> int:
        return len({row.family_key for row in self.rows})

    @property
    def what(self) -> str:
        return ITEM_KINDS[self.item].label if self.item in ITEM_KINDS else self.category.label

    @property
    def why(self) -> str:
        return reason_text(self.reason, self.blocking, self.rows)

    @property
    def summary(self) -> str:
        noun = self.what if self.what.startswith("English") else self.what[:1].lower() + self.what[1:]
        return f"{self.need_count} {noun} need{'s' if self.need_count != 1 else ''}: {self.why}"


def _same(values: Iterable[object]) -> object | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def rule_phrases(blocking: Iterable[str], rows: Iterable[GapRow], public: bool = False) -> list[str]:
    """Each blocking rule as a phrase describing the offer that is missing."""
    rows = list(rows)
    phrases = []
    for rule in blocking:
        if public and rule in PRIVATE_RULES:
            continue
        if rule == "bedrooms":
            bedrooms = _same(row.bedrooms_min for row in rows)
            phrases.append(f"with {bedrooms} or more bedrooms" if bedrooms else "with enough bedrooms")
        elif rule == "rent":
            if all(row.follows_bedroom_standard for row in rows):
                phrases.append("at or under the LHA rate")
            else:
                lowest = min((row.rent_max for row in rows if row.rent_max is not None), default=None)
                phrases.append(f"at or under £{lowest // 100:,} a month" if lowest else "within the rent limit")
        elif rule == "language":
            language = _same(row.language for row in rows)
            phrases.append(f"in {language}" if language else "in the family's language")
        elif rule == "distance":
            limit = _same(row.max_distance_km for row in rows)
            phrases.append(f"within {limit:g} km of the family" if limit else "close enough to the family")
        else:
            phrases.append(RULE_PHRASES.get(rule, rule))
    return phrases


RULE_PHRASES = {
    "item": "of the item needed",
    "step_free": "with step-free access",
    "halal": "that is halal",
    "home_visit": "that visits at home",
    "dates": "available in time",
    "units": "with enough places",
    "value": "worth its cost or distance",
    "rejected": "other than those already turned down",
    "category": "of this kind",
}


def reason_text(reason: UnmetReason, blocking: Iterable[str], rows: Iterable[GapRow]) -> str:
    if reason is UnmetReason.NO_OFFER:
        return "no offer of this kind at all"
    if reason is UnmetReason.UNFUNDABLE:
        return "the suitable offers cost money that no funding open to the family can pay"
    if reason is UnmetReason.OUTCOMPETED:
        return "the suitable offers all went to more urgent needs"
    phrases = rule_phrases(blocking, rows)
    return "no offer " + " ".join(phrases) if phrases else "no suitable offer"


def gap_groups(rows: Iterable[GapRow]) -> list[GapGroup]:
    """Unmet needs grouped by kind, reason and blocking rules; the largest groups first."""
    grouped: dict[tuple[Any, ...], list[GapRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.category, row.item, row.reason, row.blocking)].append(row)
    groups = [
        GapGroup(category, item, reason, blocking, tuple(members))
        for (category, item, reason, blocking), members in grouped.items()
    ]
    return sorted(groups, key=lambda g: (-g.need_count, g.category.value, g.item or "", g.reason.value, g.blocking))


def gap_rows() -> list[GapRow]:
    """The unmet needs of the latest run that are still open, for families still being supported."""
    run = latest_run()
    if run is None:
        return []
    statement = (
        select(
            UnmetNeed.reason,
            UnmetNeed.blocking,
            Need.id,
            Need.family_id,
            Need.category,
            Need.item,
            Need.bedrooms_min,
            Need.rent_max,
            Need.follows_bedroom_standard,
            Need.language,
            Need.max_distance_km,
            Family.reference,
        )
        .join(Need, Need.id == UnmetNeed.need_id)
        .join(Family, Family.id == Need.family_id)
        .where(UnmetNeed.run_id == run.id, Need.status == NeedStatus.OPEN, Family.status.in_(SUPPORTED_FAMILY_STATUSES))
        .order_by(Need.id)
    )
    return [
        GapRow(
            need_id=row.id,
            family_key=row.family_id,
            family_reference=row.reference,
            category=row.category,
            item=row.item,
            reason=row.reason,
            blocking=tuple(row.blocking or ()),
            bedrooms_min=row.bedrooms_min,
            rent_max=row.rent_max,
            follows_bedroom_standard=bool(row.follows_bedroom_standard),
            language=row.language,
            max_distance_km=row.max_distance_km,
        )
        for row in db.session.execute(statement)
    ]


def public_text(group: GapGroup) -> str:
    noun = "Homes" if group.category is Category.HOUSING else group.what
    phrases = (
        rule_phrases(group.blocking, group.rows, public=True)
        if (group.reason is UnmetReason.NO_COMPATIBLE_OFFER)
        else []
    )
    return " ".join([noun, *phrases])


def pooled_text(offer_type: Category) -> str:
    """How the public page names pooled small groups of a kind of offer."""
    return "Homes to rent" if offer_type is Category.HOUSING else offer_type.info.offer_label or offer_type.label


def public_lines(groups: Iterable[GapGroup]) -> list[NeededLine]:
    """Public lines from gap groups: regrouped by their public wording, each shown only when at least
    MIN_FAMILIES families are behind it; smaller ones pooled per kind of offer, itself shown only if large
    enough."""
    by_text: dict[tuple[Category, str], set[int]] = defaultdict(set)
    for group in groups:
        by_text[(offer_type_for(group.category), public_text(group))].update(row.family_key for row in group.rows)
    lines, too_small = [], defaultdict(set)
    for (offer_type, text), families in by_text.items():
        if len(families) >= MIN_FAMILIES:
            lines.append(NeededLine(offer_type, text, rounded_families(len(families))))
        else:
            too_small[offer_type].update(families)
    shown = {line.offer_type for line in lines}
    for offer_type, families in too_small.items():
        if len(families) >= MIN_FAMILIES:
            text = pooled_text(offer_type)
            lines.append(
                NeededLine(
                    offer_type,
                    f"Other {text[:1].lower()}{text[1:]}" if offer_type in shown else text,
                    rounded_families(len(families)),
                )
            )
    order = {category: index for index, category in enumerate(OFFER_TYPES)}
    return sorted(lines, key=lambda line: (order.get(line.offer_type, len(order)), -line.families, line.text))


def public_needed_lines() -> list[NeededLine]:
    """What the public `/needed` page lists: the gaps of the latest run; before any run, every open need."""
    if latest_run() is None:
        return aggregate_needs(open_need_rows())
    return public_lines(gap_groups(gap_rows()))
