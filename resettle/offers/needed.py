"""What is needed now: open needs, aggregated so that no family can be identified.

The public page and the offer form both read from here. The aggregation is a pure function over `NeedRow`s
(one per open need, with only the fields it may use: no names, addresses or dates of birth) and applies one
rule: a line is shown only when at least MIN_FAMILIES different families are behind it, and its count is
rounded. Needs in groups too small to show are pooled into a broader "other" line for their category, which
is itself shown only if it reaches the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy import select

from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Need, NeedStatus
from resettle.families.places import district_of
from resettle.offers.rules import GOODS_CATEGORIES, LANGUAGE_LABELS, OFFER_TYPES
from resettle.taxonomy import ITEM_KINDS, Category

if TYPE_CHECKING:
    from resettle.offers.models import Offer

MIN_FAMILIES = 3
ROUND_TO = 5


@dataclass(frozen=True)
class NeedRow:
    family_key: int  # only for counting distinct families; never shown
    category: Category
    item: str | None = None
    bedrooms_min: int | None = None
    step_free: bool = False
    rent_max_pence: int | None = None
    area: str | None = None
    language: str | None = None
    halal: bool = False


@dataclass(frozen=True)
class NeededLine:
    offer_type: Category  # which offer form answers it
    text: str
    families: int  # already rounded

    @property
    def families_text(self) -> str:
        return f"About {self.families} families"


def rounded_families(count: int) -> int:
    """Counts are shown rounded to the nearest 5, and never below 5, so a small change reveals nothing."""
    return max(ROUND_TO, ROUND_TO * round(count / ROUND_TO))


def offer_type_for(category: Category) -> Category:
    return Category.FURNITURE if category in GOODS_CATEGORIES else category


def _housing_key(row: NeedRow) -> Hashable:
    return (row.bedrooms_min, row.step_free, row.area)


def _housing_text(rows: list[NeedRow]) -> str:
    first = rows[0]
    text = f"{first.bedrooms_min}-bedroom homes" if first.bedrooms_min else "Homes"
    if first.step_free:
        text += " with step-free access"
    if first.area:
        text += f" in {first.area}"
    rents = [row.rent_max_pence for row in rows if row.rent_max_pence]
    if rents:
        pounds = min(rents) // 100 // 5 * 5  # rounded down, so it suits every family in the line
        text += f", rent up to £{pounds:,} a month"
    return text


def _goods_text(rows: list[NeedRow]) -> str:
    item = rows[0].item
    return ITEM_KINDS[item].label if item in ITEM_KINDS else rows[0].category.label


def _language_text(rows: list[NeedRow]) -> str:
    label = rows[0].category.label
    language = rows[0].language
    return f"{label} with a tutor who speaks {LANGUAGE_LABELS.get(language, language)}" if language else label


def _meal_text(rows: list[NeedRow]) -> str:
    return f"{rows[0].category.label} (halal)" if rows[0].halal else rows[0].category.label


def _no_detail(row: NeedRow) -> Hashable:
    return None


def _category_text(rows: list[NeedRow]) -> str:
    return rows[0].category.label


# Per category: how to group needs, how to describe a group, and how to name the pooled small groups when
# other lines of the category are shown ("other ...") and when none are.
_DETAIL: dict[Category, tuple[Callable[[NeedRow], Hashable], Callable[[list[NeedRow]], str], str, str]] = {
    Category.HOUSING: (_housing_key, _housing_text, "Homes of other sizes or in other areas", "Homes to rent"),
    Category.FURNITURE: (
        lambda row: row.item,
        _goods_text,
        "Other furniture and white goods",
        "Furniture and white goods",
    ),
    Category.HOUSEHOLD: (lambda row: row.item, _goods_text, "Other household items", "Household items"),
    Category.ESOL: (lambda row: row.language, _language_text, "English lessons (ESOL)", "English lessons (ESOL)"),
    Category.MEAL: (lambda row: row.halal, _meal_text, "Welcome meals", "Welcome meals"),
}


def _families(rows: Iterable[NeedRow]) -> int:
    return len({row.family_key for row in rows})


def aggregate_needs(rows: Iterable[NeedRow]) -> list[NeededLine]:
    """Public lines for the open needs in `rows`, each backed by at least MIN_FAMILIES families."""
    by_category: dict[Category, list[NeedRow]] = defaultdict(list)
    for row in rows:
        by_category[row.category].append(row)
    lines: list[NeededLine] = []
    for category, category_rows in by_category.items():
        key, describe, other_text, all_text = _DETAIL.get(
            category, (_no_detail, _category_text, category.label, category.label)
        )
        groups: dict[Hashable, list[NeedRow]] = defaultdict(list)
        for row in category_rows:
            groups[key(row)].append(row)
        too_small: list[NeedRow] = []
        shown = 0
        for group in groups.values():
            if _families(group) >= MIN_FAMILIES:
                lines.append(NeededLine(offer_type_for(category), describe(group), rounded_families(_families(group))))
                shown += 1
            else:
                too_small.extend(group)
        if too_small and _families(too_small) >= MIN_FAMILIES:
            lines.append(
                NeededLine(
                    offer_type_for(category), other_text if shown else all_text, rounded_families(_families(too_small))
                )
            )
    order = {category: index for index, category in enumerate(OFFER_TYPES)}
    return sorted(lines, key=lambda line: (order.get(line.offer_type, len(order)), -line.families, line.text))


def families_it_could_help(
    rows: Iterable[NeedRow],
    category: Category,
    *,
    items: Iterable[str] = (),
    bedrooms: int | None = None,
    step_free: bool | None = None,
) -> int:
    """How many families have an open need that an offer like this could meet today.

    Goods: any of the items is needed. Homes: the family needs no more bedrooms than it has, and step-free
    access only if it has it. Anything else: its category has an open need.
    """
    helped: set[int] = set()
    wanted = set(items)
    for row in rows:
        if category in GOODS_CATEGORIES:
            if row.category in GOODS_CATEGORIES and row.item in wanted:
                helped.add(row.family_key)
            continue
        if row.category is not category:
            continue
        if category is Category.HOUSING:
            if bedrooms is not None and row.bedrooms_min is not None and bedrooms < row.bedrooms_min:
                continue
            if row.step_free and not step_free:
                continue
        helped.add(row.family_key)
    return len(helped)


def is_needed_now(
    rows: Iterable[NeedRow],
    category: Category,
    *,
    items: Iterable[str] = (),
    bedrooms: int | None = None,
    step_free: bool | None = None,
) -> bool:
    """Whether an offer like this could meet any open need today. For staff and the waiting list only: a
    public page or email says "needed" only through `is_publicly_needed`."""
    return families_it_could_help(rows, category, items=items, bedrooms=bedrooms, step_free=step_free) > 0


def is_publicly_needed(
    rows: Iterable[NeedRow],
    category: Category,
    *,
    items: Iterable[str] = (),
    bedrooms: int | None = None,
    step_free: bool | None = None,
) -> bool:
    """The "needed" signal a member of the public may see: true only when at least MIN_FAMILIES families
    are behind it, the rule of /needed, so a need only one or two families have is never revealed."""
    count = families_it_could_help(rows, category, items=items, bedrooms=bedrooms, step_free=step_free)
    return count >= MIN_FAMILIES


def is_offer_publicly_needed(offer: Offer, rows: Iterable[NeedRow]) -> bool:
    """`is_publicly_needed` for a saved offer (its category, items, bedrooms and step-free access)."""
    items = [item.item_kind for item in offer.items]
    return is_publicly_needed(rows, offer.category, items=items, bedrooms=offer.bedrooms, step_free=offer.step_free)


# How the public page names a Broad Rental Market Area (families store the BRMA against the home).
BRMA_AREAS = {
    "inner_south_east_london": "inner South East London",
    "outer_south_east_london": "outer South East London",
}
OPEN_FAMILY_STATUSES = (FamilyStatus.REFERRED, FamilyStatus.ARRIVING, FamilyStatus.ARRIVED)


def area_for(brma: str | None, postcode: str | None) -> str | None:
    """The family's BRMA as the public page names it; failing that, the one its postcode district suggests."""
    if brma is None and postcode:
        district = district_of(postcode)
        brma = district.brma if district else None
    return BRMA_AREAS.get(brma or "")


def open_need_rows() -> list[NeedRow]:
    """Every open need of a family still being supported, reduced to what the aggregation may use.

    Only these columns are read: nothing that names, locates or dates a person leaves this function.
    """
    statement = (
        select(
            Need.family_id,
            Need.category,
            Need.item,
            Need.bedrooms_min,
            Need.step_free,
            Need.rent_max,
            Need.language,
            Need.halal,
            Family.brma,
            Family.postcode,
        )
        .join(Family, Family.id == Need.family_id)
        .where(Need.status == NeedStatus.OPEN, Family.status.in_(OPEN_FAMILY_STATUSES))
    )
    return [
        NeedRow(
            family_key=row.family_id,
            category=row.category,
            item=row.item,
            bedrooms_min=row.bedrooms_min,
            step_free=bool(row.step_free),
            rent_max_pence=row.rent_max,
            area=area_for(row.brma, row.postcode),
            language=row.language,
            halal=bool(row.halal),
        )
        for row in db.session.execute(statement)
    ]


def needed_offer_types(rows: Iterable[NeedRow]) -> set[Category]:
    """The offer form's types that open needs of at least MIN_FAMILIES families could use: the public form
    says "needed" by the rule of /needed (and tells people kindly when it cannot say so)."""
    families: dict[Category, set[int]] = defaultdict(set)
    for row in rows:
        families[offer_type_for(row.category)].add(row.family_key)
    return {offer_type for offer_type, keys in families.items() if len(keys) >= MIN_FAMILIES}


# The app passes in where the public /needed page's lines come from: the matching package's gap report (what the
# latest run could not meet). Offers sit below matching, so this package cannot import it.
NEEDED_LINES_SOURCE = "resettle.needed_lines"


def set_needed_lines_source(app: Flask, source: Callable[[], list[NeededLine]]) -> None:
    app.extensions[NEEDED_LINES_SOURCE] = source


def needed_lines_now() -> list[NeededLine]:
    """What /needed lists: the source the app passed in; without one, every open need, aggregated."""
    source = current_app.extensions.get(NEEDED_LINES_SOURCE)
    if source is None:
        return aggregate_needs(open_need_rows())
    lines: list[NeededLine] = source()
    return lines
