"""What is needed now: open needs, aggregated so that no family can be identified.

The public page and the offer form both read from here. Needs are grouped in the database (`need_cells`: one
row per set of details, with the families behind it, never one row per need), and `needed_groups` words them
as lines a resident can act on ("Homes with 4 or more bedrooms, step-free, at or under £1,650 a month in SE6
or SE13"), each with the offer form's answers that offer exactly that. One rule holds throughout: a line is
shown only when at least MIN_FAMILIES different families stand behind it, and its count is rounded. Needs in
groups too small to show go on to a broader grouping, and what is left is pooled into one line for their
kind, itself shown only if it reaches the threshold. `recently_met` thanks people the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app
from sqlalchemy import String, case, cast, func, select

from resettle.extensions import db
from resettle.families.models import Family, FamilyStatus, Need, NeedStatus
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
    # The offer form's answers that offer exactly this (query arguments: bedrooms, step_free, rent, item...).
    offer_args: tuple[tuple[str, str], ...] = ()

    @property
    def families_text(self) -> str:
        return f"About {self.families} families"


def rounded_families(count: int) -> int:
    """Counts are shown rounded to the nearest 5, and never below 5, so a small change reveals nothing."""
    return max(ROUND_TO, ROUND_TO * round(count / ROUND_TO))


def offer_type_for(category: Category) -> Category:
    return Category.FURNITURE if category in GOODS_CATEGORIES else category


@dataclass(frozen=True)
class NeedCell:
    """Open needs that share every detail /needed may show, with the families behind them: one row of a grouped
    query. The family keys are only for counting distinct families; they are never shown."""

    category: Category
    families: frozenset[int]
    item: str | None = None
    bedrooms_min: int | None = None
    step_free: bool = False
    rent_max_pence: int | None = None
    area: str | None = None
    language: str | None = None
    halal: bool = False


def cells_from_rows(rows: Iterable[NeedRow]) -> list[NeedCell]:
    """Rows with the same details as one cell each (what the grouped query returns)."""
    families: dict[NeedCell, set[int]] = defaultdict(set)
    for row in rows:
        details = NeedCell(
            category=row.category,
            families=frozenset(),
            item=row.item,
            bedrooms_min=row.bedrooms_min,
            step_free=row.step_free,
            rent_max_pence=row.rent_max_pence,
            area=row.area,
            language=row.language,
            halal=row.halal,
        )
        families[details].add(row.family_key)
    return [replace(details, families=frozenset(keys)) for details, keys in families.items()]


def _same(values: Iterable[object]) -> object | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _rent_band(cell: NeedCell) -> int | None:
    return None if cell.rent_max_pence is None else cell.rent_max_pence // 5_000  # £50 bands


def _pounds_floor(pence: int) -> int:
    """Rounded down to £5, so the figure suits every family in the line."""
    return pence // 100 // 5 * 5


MAX_AREAS_NAMED = 3


def _areas(cells: list[NeedCell]) -> list[str]:
    """The areas of the families in the line, when each has one, there are few enough to name, and each area
    named has at least MIN_FAMILIES families behind it (so no single family's need is placed in a district)."""
    families: dict[str, set[int]] = defaultdict(set)
    for cell in cells:
        if cell.area is None:
            return []
        families[cell.area] |= cell.families
    if len(families) > MAX_AREAS_NAMED or any(len(keys) < MIN_FAMILIES for keys in families.values()):
        return []
    return sorted(families, key=lambda area: (len(area), area))


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _housing(cells: list[NeedCell], pooled: bool, others_shown: bool) -> tuple[str, dict[str, str]]:
    """ "Homes with 4 or more bedrooms, step-free, at or under £1,650 a month in SE6 or SE13": only what holds for
    every family in the line (the rent is the lowest of their limits, rounded down)."""
    args: dict[str, str] = {}
    other = "other " if others_shown else ""
    noun = other + "homes"
    step_free = all(cell.step_free for cell in cells)
    bedrooms = _same(cell.bedrooms_min for cell in cells)
    rents = [cell.rent_max_pence for cell in cells if cell.rent_max_pence]
    rent = _pounds_floor(min(rents)) if rents and len(rents) == len(cells) else None
    areas = _areas(cells)
    if isinstance(bedrooms, int):
        text = f"{noun} with {bedrooms} or more bedrooms"
        text += ", step-free" + ("," if rent is not None else "") if step_free else ""
        args["bedrooms"] = str(bedrooms)
    else:
        text = f"{other}step-free homes" if step_free else noun
    if step_free:
        args["step_free"] = "yes"
    if rent is not None:
        text += f" at or under £{rent:,} a month"
        args["rent"] = str(rent)
    if areas:
        text += f" in {_or_list(areas)}"
    if text == noun:
        text += " to rent"
    return text[:1].upper() + text[1:], args


def _goods(cells: list[NeedCell], pooled: bool, others_shown: bool) -> tuple[str, dict[str, str]]:
    item = _same(cell.item for cell in cells)
    if isinstance(item, str) and item in ITEM_KINDS:
        return ITEM_KINDS[item].label, {"item": item}
    category = cells[0].category
    if category is Category.HOUSEHOLD:
        return ("Other household items" if others_shown else "Household items"), {}
    return ("Other furniture and white goods" if others_shown else "Furniture and white goods"), {}


def _esol(cells: list[NeedCell], pooled: bool, others_shown: bool) -> tuple[str, dict[str, str]]:
    label = cells[0].category.label
    language = _same(cell.language for cell in cells)
    if isinstance(language, str) and language:
        return f"{label} with a tutor who speaks {LANGUAGE_LABELS.get(language, language)}", {"language": language}
    return label, {}


def _meal(cells: list[NeedCell], pooled: bool, others_shown: bool) -> tuple[str, dict[str, str]]:
    label = cells[0].category.label
    if all(cell.halal for cell in cells):
        return f"{label} (halal)", {"halal": "yes"}
    return label, {}


def _plain(cells: list[NeedCell], pooled: bool, others_shown: bool) -> tuple[str, dict[str, str]]:
    return cells[0].category.label, {}


Key = Callable[[NeedCell], Hashable]
Describe = Callable[[list[NeedCell], bool, bool], tuple[str, dict[str, str]]]

# Per category: the groupings to try, most detailed first, and how to word a line. Needs whose group at one
# level has fewer than MIN_FAMILIES families go on to the next, broader level; what is left at the end is pooled
# into one line, itself shown only if it reaches MIN_FAMILIES.
_LEVELS: dict[Category, tuple[list[Key], Describe]] = {
    Category.HOUSING: (
        [
            lambda c: (c.bedrooms_min, c.step_free, _rent_band(c), c.area),
            lambda c: (c.bedrooms_min, c.step_free, _rent_band(c)),
            lambda c: (c.bedrooms_min, c.step_free),
            lambda c: (c.bedrooms_min,),
            lambda c: (c.step_free,),
        ],
        _housing,
    ),
    Category.FURNITURE: ([lambda c: c.item], _goods),
    Category.HOUSEHOLD: ([lambda c: c.item], _goods),
    Category.ESOL: ([lambda c: c.language], _esol),
    Category.MEAL: ([lambda c: c.halal], _meal),
}


def _families(cells: Iterable[NeedCell]) -> set[int]:
    return set().union(*(cell.families for cell in cells))


def needed_groups(cells: Iterable[NeedCell]) -> list[tuple[NeededLine, list[NeedCell]]]:
    """Public lines for the needs in `cells`, each as detailed as it can be while at least MIN_FAMILIES
    different families stand behind it, with the answers that offer exactly that; each with the cells behind it
    (for tests of the rule: never shown)."""
    by_category: dict[Category, list[NeedCell]] = defaultdict(list)
    for cell in cells:
        if cell.families:
            by_category[cell.category].append(cell)
    lines: list[tuple[NeededLine, list[NeedCell]]] = []
    for category, remaining in by_category.items():
        levels, describe = _LEVELS.get(category, ([], _plain))
        shown = 0
        for key in levels:
            shown_before = shown > 0  # later lines are "other" homes: not those already listed
            groups: dict[Hashable, list[NeedCell]] = defaultdict(list)
            for cell in remaining:
                groups[key(cell)].append(cell)
            remaining = []
            for group in groups.values():
                backing = _families(group)
                if len(backing) >= MIN_FAMILIES:
                    text, args = describe(group, False, shown_before)
                    lines.append((_line(category, text, len(backing), args), group))
                    shown += 1
                else:
                    remaining.extend(group)
        backing = _families(remaining)
        if remaining and len(backing) >= MIN_FAMILIES:
            text, args = describe(remaining, True, shown > 0)
            lines.append((_line(category, text, len(backing), args), remaining))
    order = {category: index for index, category in enumerate(OFFER_TYPES)}
    return sorted(lines, key=lambda pair: (order.get(pair[0].offer_type, len(order)), -pair[0].families, pair[0].text))


def needed_lines(cells: Iterable[NeedCell]) -> list[NeededLine]:
    """The lines of `needed_groups`, for the page."""
    return [line for line, _ in needed_groups(cells)]


def _line(category: Category, text: str, families: int, args: dict[str, str]) -> NeededLine:
    return NeededLine(offer_type_for(category), text, rounded_families(families), tuple(sorted(args.items())))


def aggregate_needs(rows: Iterable[NeedRow]) -> list[NeededLine]:
    """Public lines for the open needs in `rows`, each backed by at least MIN_FAMILIES families."""
    return needed_lines(cells_from_rows(rows))


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


def postcode_district() -> Any:
    """The family's postcode district in SQL ("SE13" of "SE13 6AA"): postcodes are stored normalised, with one
    space before the three-character inward code."""
    return case(
        (func.length(Family.postcode) > 4, func.substr(Family.postcode, 1, func.length(Family.postcode) - 4)),
        else_=None,
    )


def family_keys(column: Any) -> Any:
    """The family ids behind a group, as one string ("4,9,12"): for counting distinct families only."""
    return func.aggregate_strings(cast(column, String), ",")


def parse_keys(text: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in (text or "").split(",") if part.strip().isdigit())


def area_of(district: str | None, brma: str | None) -> str | None:
    """The family's area as the public page may name it: its postcode district, or failing that its BRMA."""
    if district and district.strip():
        return district.strip().upper()
    return BRMA_AREAS.get(brma or "")


def need_cells() -> list[NeedCell]:
    """The open needs of families still being supported, grouped in the database by every detail /needed may
    show: one row per group, however many needs, with the families behind it.

    Only these columns are read: nothing that names, locates or dates a person leaves this function (the
    postcode is cut to its district in the query)."""
    district = postcode_district()
    details = (
        Need.category,
        Need.item,
        Need.bedrooms_min,
        Need.step_free,
        Need.rent_max,
        Need.language,
        Need.halal,
        district,
        Family.brma,
    )
    statement = (
        select(*details, family_keys(Need.family_id))
        .join(Family, Family.id == Need.family_id)
        .where(Need.status == NeedStatus.OPEN, Family.status.in_(OPEN_FAMILY_STATUSES))
        .group_by(*details)
    )
    return [
        NeedCell(
            category=category,
            families=parse_keys(keys),
            item=item,
            bedrooms_min=bedrooms,
            step_free=bool(step_free),
            rent_max_pence=rent,
            area=area_of(district_text, brma),
            language=language,
            halal=bool(halal),
        )
        for category, item, bedrooms, step_free, rent, language, halal, district_text, brma, keys in (
            db.session.execute(statement)
        )
    ]


def rows_from_cells(cells: Iterable[NeedCell]) -> list[NeedRow]:
    """One row per family per group: what the offer form's "is it needed" checks count."""
    return [
        NeedRow(
            family_key=key,
            category=cell.category,
            item=cell.item,
            bedrooms_min=cell.bedrooms_min,
            step_free=cell.step_free,
            rent_max_pence=cell.rent_max_pence,
            area=cell.area,
            language=cell.language,
            halal=cell.halal,
        )
        for cell in cells
        for key in sorted(cell.families)
    ]


def open_need_rows() -> list[NeedRow]:
    """The open needs of families still being supported, from the grouped query: one row per family per group
    of needs with the same details, never one per need."""
    return rows_from_cells(need_cells())


RECENT_DAYS = 30


@dataclass(frozen=True)
class RecentlyMet:
    """Needs met with an offer in the last RECENT_DAYS days: the families behind them (rounded), and per kind
    of offer those that reach MIN_FAMILIES, so no small group is revealed."""

    families: int  # rounded; 0 when fewer than MIN_FAMILIES
    by_offer_type: tuple[tuple[Category, int], ...]

    @property
    def text(self) -> str:
        if not self.families:
            return ""
        kinds = [f"{_kind_text(offer_type)} for about {count} families" for offer_type, count in self.by_offer_type]
        detail = f", including {_and_list(kinds)}" if kinds else ""
        return (
            f"Recently met, thank you: in the last {RECENT_DAYS} days, offers from residents, landlords, faith "
            f"groups and businesses met needs of about {self.families} families{detail}."
        )


def _kind_text(offer_type: Category) -> str:
    if offer_type is Category.HOUSING:
        return "homes"
    label = offer_type.info.offer_label or offer_type.label
    return label[:1].lower() + label[1:]


def _and_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def recently_met(now: datetime) -> RecentlyMet:
    """One grouped query: per category, the families whose needs were met through a fulfilled match lately."""
    from resettle.matching.models import Match, MatchStatus  # matching builds on offers: imported when used

    fulfilled = select(Match.id).where(Match.need_id == Need.id, Match.status == MatchStatus.FULFILLED).exists()
    statement = (
        select(Need.category, family_keys(Need.family_id))
        .where(Need.status == NeedStatus.MET, Need.closed_at >= now - timedelta(days=RECENT_DAYS), fulfilled)
        .group_by(Need.category)
    )
    by_type: dict[Category, set[int]] = defaultdict(set)
    for category, keys in db.session.execute(statement):
        by_type[offer_type_for(category)] |= parse_keys(keys)
    everyone = set().union(*by_type.values()) if by_type else set()
    if len(everyone) < MIN_FAMILIES:
        return RecentlyMet(0, ())
    order = {category: index for index, category in enumerate(OFFER_TYPES)}
    shown = sorted(
        (
            (offer_type, rounded_families(len(keys)))
            for offer_type, keys in by_type.items()
            if len(keys) >= MIN_FAMILIES
        ),
        key=lambda pair: order.get(pair[0], len(order)),
    )
    return RecentlyMet(rounded_families(len(everyone)), tuple(shown))


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
