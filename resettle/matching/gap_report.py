"""The gap report: the needs the latest run could not meet, grouped by kind, reason and blocking rules, in
words staff (and, aggregated, the public) can act on: "7 housing needs: no offer with 4 or more bedrooms at
or under the LHA rate".

The report and `/needed` read `gap_cells`, one grouped query (one row per set of details, with the number of
needs and the families behind them), so their cost does not grow with the number of needs; `gap_groups` is a
pure function over those cells (or over `GapRow`s, one per need, which only the CSV export reads). The public
page regroups the same cells by what residents could offer (`resettle.offers.needed.needed_lines`) and keeps
its rule: a line only when at least MIN_FAMILIES families are behind it, counts rounded, nothing that
identifies a family.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, cast, func, select

from resettle.extensions import db
from resettle.families.models import Family, Need, NeedStatus
from resettle.matching.builder import SUPPORTED_FAMILY_STATUSES
from resettle.matching.models import MatchRun, UnmetNeed, UnmetReason
from resettle.matching.runs import latest_run
from resettle.offers.needed import (
    NeedCell,
    NeededLine,
    area_of,
    family_keys,
    need_cells,
    needed_lines,
    parse_keys,
    postcode_district,
)
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
    step_free: bool = False
    halal: bool = False
    area: str | None = None

    def cell(self) -> GapCell:
        return GapCell(
            category=self.category,
            item=self.item,
            reason=self.reason,
            blocking=self.blocking,
            need_count=1,
            families=frozenset({self.family_key}),
            bedrooms_min=self.bedrooms_min,
            rent_max=self.rent_max,
            follows_bedroom_standard=self.follows_bedroom_standard,
            language=self.language,
            max_distance_km=self.max_distance_km,
            step_free=self.step_free,
            halal=self.halal,
            area=self.area,
        )


@dataclass(frozen=True)
class GapCell:
    """Unmet needs with the same details, from one row of a grouped query: how many, and the families behind
    them (for counting distinct families only; never shown)."""

    category: Category
    item: str | None
    reason: UnmetReason
    blocking: tuple[str, ...]
    need_count: int
    families: frozenset[int]
    bedrooms_min: int | None = None
    rent_max: int | None = None
    follows_bedroom_standard: bool = False
    language: str | None = None
    max_distance_km: float | None = None
    step_free: bool = False
    halal: bool = False
    area: str | None = None

    def need_cell(self) -> NeedCell:
        """What the public page may use of it."""
        return NeedCell(
            category=self.category,
            families=self.families,
            item=self.item,
            bedrooms_min=self.bedrooms_min,
            step_free=self.step_free,
            rent_max_pence=self.rent_max,
            area=self.area,
            language=self.language,
            halal=self.halal,
        )


@dataclass(frozen=True)
class GapGroup:
    category: Category
    item: str | None
    reason: UnmetReason
    blocking: tuple[str, ...]
    rows: tuple[GapCell, ...]

    @property
    def key(self) -> tuple[Category, str | None, UnmetReason, tuple[str, ...]]:
        return (self.category, self.item, self.reason, self.blocking)

    @property
    def need_count(self) -> int:
        return sum(cell.need_count for cell in self.rows)

    @property
    def family_count(self) -> int:
        return len(set().union(*(cell.families for cell in self.rows)))

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


def rule_phrases(blocking: Iterable[str], rows: Iterable[GapRow | GapCell], public: bool = False) -> list[str]:
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


# Each engine rule as a caseworker reads it on a family's page ("Not matched: No suitable offer (bedrooms,
# step-free access)").
RULE_LABELS = {
    "item": "not the item needed",
    "bedrooms": "bedrooms",
    "rent": "rent",
    "step_free": "step-free access",
    "language": "language",
    "halal": "halal",
    "home_visit": "home visits",
    "distance": "distance",
    "dates": "dates",
    "units": "places",
    "value": "cost or distance",
    "rejected": "turned down before",
    "category": "kind of help",
}


def rule_labels(blocking: Iterable[str]) -> str:
    """The blocking rules in words, for a page."""
    return ", ".join(RULE_LABELS.get(rule, rule.replace("_", " ")) for rule in blocking)


def reason_text(reason: UnmetReason, blocking: Iterable[str], rows: Iterable[GapRow | GapCell]) -> str:
    if reason is UnmetReason.NO_OFFER:
        return "no offer of this kind at all"
    if reason is UnmetReason.UNFUNDABLE:
        return "the suitable offers cost money that no funding open to the family can pay"
    if reason is UnmetReason.OUTCOMPETED:
        return "the suitable offers all went to more urgent needs"
    phrases = rule_phrases(blocking, rows)
    return "no offer " + " ".join(phrases) if phrases else "no suitable offer"


def gap_groups(rows: Iterable[GapRow | GapCell]) -> list[GapGroup]:
    """Unmet needs grouped by kind, reason and blocking rules; the largest groups first."""
    grouped: dict[tuple[Category, str | None, UnmetReason, tuple[str, ...]], list[GapCell]] = defaultdict(list)
    for row in rows:
        cell = row.cell() if isinstance(row, GapRow) else row
        grouped[(cell.category, cell.item, cell.reason, cell.blocking)].append(cell)
    groups = [
        GapGroup(category, item, reason, blocking, tuple(members))
        for (category, item, reason, blocking), members in grouped.items()
    ]
    return sorted(groups, key=lambda g: (-g.need_count, g.category.value, g.item or "", g.reason.value, g.blocking))


def _unmet_of_latest_run(run_id: int) -> Any:
    return (
        select()
        .select_from(UnmetNeed)
        .join(Need, Need.id == UnmetNeed.need_id)
        .join(Family, Family.id == Need.family_id)
        .where(UnmetNeed.run_id == run_id, Need.status == NeedStatus.OPEN, Family.status.in_(SUPPORTED_FAMILY_STATUSES))
    )


def gap_rows() -> list[GapRow]:
    """The unmet needs of the latest run that are still open, for families still being supported, one row per
    need, with what the report says of each (the CSV export reads the same needs with `gap_export_query`)."""
    run = latest_run()
    if run is None:
        return []
    statement = (
        _unmet_of_latest_run(run.id)
        .add_columns(
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


def gap_export_query(run: MatchRun) -> Select[Any]:
    """The unmet needs of `gap_rows`, as the CSV export lists them: need, family reference, category, item,
    reason and the blocking rules as JSON text (the same text `gap_cells` groups by; `blocking_rules` reads it)."""
    statement: Select[Any] = (
        _unmet_of_latest_run(run.id)
        .add_columns(
            Need.id,
            Family.reference,
            Need.category,
            Need.item,
            UnmetNeed.reason,
            cast(UnmetNeed.blocking, String),
        )
        .order_by(Need.id)
    )
    return statement


def blocking_rules(text: str | None) -> tuple[str, ...]:
    """The blocking rules of an unmet need, from their JSON text."""
    return _blocking(text)


def _blocking(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(str(rule) for rule in value) if isinstance(value, list) else ()


def gap_cells(run: MatchRun | None) -> list[GapCell]:
    """The unmet needs of `run` (the latest) still open, for families still being supported, grouped in the
    database by everything the report and /needed say about them: one row per group, however many needs."""
    if run is None:
        return []
    district = postcode_district()
    blocking = cast(UnmetNeed.blocking, String)  # JSON has no equality on PostgreSQL; its text groups the same
    details = (
        Need.category,
        Need.item,
        UnmetNeed.reason,
        blocking,
        Need.bedrooms_min,
        Need.rent_max,
        Need.follows_bedroom_standard,
        Need.language,
        Need.max_distance_km,
        Need.step_free,
        Need.halal,
        district,
        Family.brma,
    )
    statement = _unmet_of_latest_run(run.id).add_columns(*details, func.count(), family_keys(Need.family_id))
    cells = []
    for row in db.session.execute(statement.group_by(*details)):
        (category, item, reason, blocking_text, bedrooms, rent, follows, language, distance) = row[:9]
        step_free, halal, district_text, brma, need_count, keys = row[9:]
        cells.append(
            GapCell(
                category=category,
                item=item,
                reason=reason,
                blocking=_blocking(blocking_text),
                need_count=int(need_count),
                families=parse_keys(keys),
                bedrooms_min=bedrooms,
                rent_max=rent,
                follows_bedroom_standard=bool(follows),
                language=language,
                max_distance_km=distance,
                step_free=bool(step_free),
                halal=bool(halal),
                area=area_of(district_text, brma),
            )
        )
    return cells


def public_lines(groups: Iterable[GapGroup]) -> list[NeededLine]:
    """Public lines from gap groups: the unmet needs regrouped by what residents could offer, each line as
    detailed as it can be while at least MIN_FAMILIES families stand behind it (see `needed_lines`). Why a need
    was not met (a rejection, the distance) is never said."""
    return needed_lines(cell.need_cell() for group in groups for cell in group.rows)


def public_needed_lines() -> list[NeededLine]:
    """What the public `/needed` page lists: the gaps of the latest run; before any run, every open need. Both
    from one grouped query."""
    run = latest_run()
    if run is None:
        return needed_lines(need_cells())
    return needed_lines(cell.need_cell() for cell in gap_cells(run))
