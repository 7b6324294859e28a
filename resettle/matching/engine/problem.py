"""Reading and validating a matching problem (format version 1) into numpy arrays."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .arrays import BoolArray, FloatArray, IntArray
from .validation import (
    MAX_BUDGET_PENCE,
    MAX_WEIGHT,
    NeedFields,
    OfferFields,
    fail,
    is_number,
    read_date,
    read_id,
    read_list,
    read_location,
    read_need,
    read_object,
    read_offer,
    read_optional_number,
    read_optional_object,
    read_whole_number,
)
from .validation import ProblemError as ProblemError  # re-exported: the engine's error for a malformed problem

EARTH_RADIUS_KM = 6371.0088
DISTANCE_TOL_KM = 1e-9
RULES = (
    "category",
    "item",
    "bedrooms",
    "rent",
    "step_free",
    "language",
    "halal",
    "home_visit",
    "distance",
    "dates",
    "units",
    "value",
    "rejected",
)

# the per-need arrays (Problem.part takes the rows of its needs)
_NEED_ARRAYS = (
    "need_fam",
    "need_cat",
    "need_item",
    "need_units",
    "need_pv",
    "need_bmin",
    "need_rmax",
    "need_step_free",
    "need_lang",
    "need_halal",
    "need_home",
    "need_maxd",
    "need_by",
    "need_has_loc",
    "need_lat",
    "need_lon",
    "need_cos",
    "need_keep",
)

_FAR_PAST = -(10**9)
_FAR_FUTURE = 10**9


class Problem:
    """A validated problem. Needs, offers, families and streams are numbered by their position in the
    file; per-entity attributes are numpy arrays."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        read_object(data, "the problem")
        if "version" not in data:
            fail("the problem has no version (expected 1)")
        if data.get("version") != 1 or isinstance(data.get("version"), bool):
            fail("unknown problem version {!r} (expected 1)".format(data.get("version")))
        self.date = read_date(data.get("date"), "date")
        self._weights(data.get("weights"))
        self._streams(read_list(data.get("streams"), "streams", optional=True))
        self._families(read_list(data.get("families"), "families"))
        self._needs(read_list(data.get("needs"), "needs"))
        self._offers(read_list(data.get("offers"), "offers"))
        self._exclusions()
        self.split = False  # a part of a problem that was split (see parts.py)

    # ---- parts ------------------------------------------------------------------------------------
    def _weights(self, raw: object) -> None:
        weights = read_object(raw, "weights")
        priority_values = read_object(weights.get("priority_value"), "weights.priority_value")
        self.pv_table: dict[str, float] = {}
        for key, number in priority_values.items():
            if not is_number(number):
                fail(f"weights.priority_value[{key!r}] must be a number")
            read_optional_number(number, f"weights.priority_value[{key!r}]", maximum=MAX_WEIGHT)
            self.pv_table[str(key)] = float(number)
        self.cost_weight = (
            read_optional_number(weights.get("cost_weight"), "weights.cost_weight", maximum=MAX_WEIGHT) or 0.0
        )
        self.distance_weight = (
            read_optional_number(weights.get("distance_weight"), "weights.distance_weight", maximum=MAX_WEIGHT) or 0.0
        )

    def _streams(self, streams: list[Any]) -> None:
        self.stream_ids: list[str | int] = []
        self.stream_index: dict[str | int, int] = {}
        self.stream_scope_family: list[bool] = []
        self.stream_budget: list[int] = []
        self.stream_categories: list[frozenset[str]] = []
        self.stream_excluded: list[frozenset[str]] = []
        for position, raw in enumerate(streams):
            stream = read_object(raw, f"streams[{position}]")
            sid = read_id(stream.get("id"), f"streams[{position}]")
            if sid in self.stream_index:
                fail(f"duplicate stream id {sid!r}")
            scope = stream.get("scope")
            if scope not in ("family", "pool"):
                fail(f"stream {sid} has scope {scope!r} (expected family or pool)")
            budget = 0
            if scope == "pool":
                budget = read_whole_number(
                    stream.get("budget"), f"pool stream {sid} budget", 0, MAX_BUDGET_PENCE, " of pence"
                )
            cats = read_list(stream.get("categories"), f"stream {sid} categories")
            exc = read_list(stream.get("excluded_items"), f"stream {sid} excluded_items", optional=True)
            for name in cats + exc:
                if not isinstance(name, str):
                    fail(f"stream {sid} lists a non-string category or item {name!r}")
            self.stream_index[sid] = position
            self.stream_ids.append(sid)
            self.stream_scope_family.append(scope == "family")
            self.stream_budget.append(budget)
            self.stream_categories.append(frozenset(cats))
            self.stream_excluded.append(frozenset(exc))
        self.n_streams = len(self.stream_ids)

    def _families(self, families: list[Any]) -> None:
        n_streams = self.n_streams
        n_families = len(families)
        self.family_ids: list[str | int] = []
        self.family_index: dict[str | int, int] = {}
        self.fam_open: BoolArray = np.zeros((n_families, n_streams), dtype=bool)
        self.fam_budget: IntArray = np.zeros((n_families, n_streams), dtype=np.int64)  # family-scope budgets
        self.fam_has_loc: BoolArray = np.zeros(n_families, dtype=bool)
        self.fam_lat: FloatArray = np.zeros(n_families)
        self.fam_lon: FloatArray = np.zeros(n_families)
        self.fam_cos: FloatArray = np.ones(n_families)
        for position, raw in enumerate(families):
            family = read_object(raw, f"families[{position}]")
            fid = read_id(family.get("id"), f"families[{position}]")
            if fid in self.family_index:
                fail(f"duplicate family id {fid!r}")
            self.family_index[fid] = position
            self.family_ids.append(fid)
            has, lat, lon, cos_lat = read_location(family.get("location"), f"family {fid} location")
            self.fam_has_loc[position], self.fam_lat[position] = has, lat
            self.fam_lon[position], self.fam_cos[position] = lon, cos_lat
            for sid, amount in read_optional_object(family.get("budgets"), f"family {fid} budgets").items():
                stream = self.stream_index.get(sid)
                if stream is None:
                    fail(f"family {fid} has a budget for unknown stream {sid!r}")
                if not self.stream_scope_family[stream]:
                    fail(f"family {fid} has a budget for pool stream {sid} (list it in pools)")
                read_whole_number(amount, f"family {fid} budget for {sid}", 0, MAX_BUDGET_PENCE, " of pence")
                self.fam_open[position, stream] = True
                self.fam_budget[position, stream] = amount
            for sid in read_list(family.get("pools"), f"family {fid} pools", optional=True):
                pool = self.stream_index.get(sid) if isinstance(sid, (str, int)) else None
                if pool is None:
                    fail(f"family {fid} lists unknown pool {sid!r}")
                if self.stream_scope_family[pool]:
                    fail(f"family {fid} lists family-scope stream {sid} among its pools")
                self.fam_open[position, pool] = True

    def _needs(self, needs: list[Any]) -> None:
        n_needs = len(needs)
        self.need_ids: list[str | int] = []
        self.need_index: dict[str | int, int] = {}
        self.categories: dict[str, int] = {}  # name -> code (shared by needs and offers)
        self.items: dict[str | None, int] = {None: -1}  # name -> code
        self.languages: dict[str, int] = {}
        self.need_fam = np.zeros(n_needs, dtype=np.int64)
        self.need_cat = np.zeros(n_needs, dtype=np.int64)
        self.need_item = np.full(n_needs, -1, dtype=np.int64)
        self.need_units = np.ones(n_needs, dtype=np.int64)
        self.need_priority: list[int | str | None] = [None] * n_needs
        self.need_pv = np.zeros(n_needs)
        self.need_bmin = np.full(n_needs, np.nan)
        self.need_rmax = np.full(n_needs, np.inf)
        self.need_step_free = np.zeros(n_needs, dtype=bool)
        self.need_lang = np.full(n_needs, -1, dtype=np.int64)
        self.need_halal = np.zeros(n_needs, dtype=bool)
        self.need_home = np.zeros(n_needs, dtype=bool)
        self.need_maxd = np.full(n_needs, np.inf)
        self.need_by = np.full(n_needs, _FAR_FUTURE, dtype=np.int64)
        self._excluded_ids: list[list[Any]] = []
        self._keep_ids: list[str | int | None] = []
        for position, raw in enumerate(needs):
            need = read_need(raw, position, self.need_index, self.family_index, self.pv_table)
            self.need_index[need.id] = position
            self.need_ids.append(need.id)
            self._store_need(position, need)
            self._excluded_ids.append(need.excluded_offers)
            self._keep_ids.append(need.keep_offer)
        self.n_needs = n_needs
        family = self.need_fam
        self.need_has_loc = self.fam_has_loc[family]
        self.need_lat = self.fam_lat[family]
        self.need_lon = self.fam_lon[family]
        self.need_cos = self.fam_cos[family]

    def _store_need(self, position: int, need: NeedFields) -> None:
        """Code a checked need into `position` of the need arrays (absent requirements keep the defaults)."""
        self.need_fam[position] = need.family
        self.need_cat[position] = self.categories.setdefault(need.category, len(self.categories))
        self.need_priority[position] = need.priority
        self.need_pv[position] = self.pv_table[str(need.priority)]
        self.need_units[position] = need.units
        if need.needed_by is not None:
            self.need_by[position] = need.needed_by
        if need.item is not None:
            self.need_item[position] = self.items.setdefault(need.item, len(self.items) - 1)
        if need.bedrooms_min is not None:
            self.need_bmin[position] = need.bedrooms_min
        if need.rent_max is not None:
            self.need_rmax[position] = need.rent_max
        self.need_step_free[position] = need.step_free
        if need.language is not None:
            self.need_lang[position] = self.languages.setdefault(need.language, len(self.languages))
        self.need_halal[position] = need.halal
        self.need_home[position] = need.home_visit
        if need.max_distance_km is not None:
            self.need_maxd[position] = need.max_distance_km

    def _offers(self, offers: list[Any]) -> None:
        n_offers = len(offers)
        self.offer_ids: list[str | int] = []
        self.offer_index: dict[str | int, int] = {}
        self.offer_cat = np.zeros(n_offers, dtype=np.int64)
        self.offer_item = np.full(n_offers, -1, dtype=np.int64)
        self.offer_cap = np.zeros(n_offers, dtype=np.int64)
        self.offer_cost = np.zeros(n_offers, dtype=np.int64)
        self.offer_bed = np.full(n_offers, np.nan)
        self.offer_rent = np.full(n_offers, -np.inf)
        self.offer_step_free = np.zeros(n_offers, dtype=bool)
        self.offer_halal = np.zeros(n_offers, dtype=bool)
        self.offer_home = np.zeros(n_offers, dtype=bool)
        self.offer_has_loc = np.zeros(n_offers, dtype=bool)
        self.offer_lat = np.zeros(n_offers)
        self.offer_lon = np.zeros(n_offers)
        self.offer_cos = np.ones(n_offers)
        self.offer_from = np.full(n_offers, _FAR_PAST, dtype=np.int64)
        self.offer_until_ok = np.ones(n_offers, dtype=bool)
        lang_sets: list[list[str]] = []
        for position, raw in enumerate(offers):
            offer = read_offer(raw, position, self.offer_index)
            self.offer_index[offer.id] = position
            self.offer_ids.append(offer.id)
            self._store_offer(position, offer)
            lang_sets.append(offer.languages)
        self.n_offers = n_offers
        self._offer_languages(lang_sets)
        self.item_names = {code: name for name, code in self.items.items()}
        self.category_names = {code: name for name, code in self.categories.items()}
        self._stream_arrays()

    def _exclusions(self) -> None:
        """The `excluded_offers` extension as sorted pair keys (need * n_offers + offer): pairs the rules
        must treat as incompatible (rule "rejected"), for example a pairing a caseworker already turned down."""
        keys: list[int] = []
        for need, ids in enumerate(self._excluded_ids):
            for oid in ids:
                offer = self.offer_index.get(oid)
                if offer is None:
                    fail(f"need {self.need_ids[need]} excludes unknown offer {oid!r}")
                keys.append(need * self.n_offers + offer)
        self.excluded_keys = np.unique(np.array(keys, dtype=np.int64))
        del self._excluded_ids
        # the `keep_offer` extension: per need, the offer of its undecided proposal (-1: none)
        self.need_keep = np.full(self.n_needs, -1, dtype=np.int64)
        for need, oid in enumerate(self._keep_ids):
            if oid is not None:
                offer = self.offer_index.get(oid)
                if offer is None:
                    fail(f"need {self.need_ids[need]} keeps unknown offer {oid!r}")
                self.need_keep[need] = offer
        del self._keep_ids

    def part(self, needs: IntArray, fam_budget: IntArray, stream_budget: IntArray) -> Problem:
        """The problem of the needs `needs` alone (numbered from 0 in that order), with every offer,
        and with the budgets left (`fam_budget`, `stream_budget`) where others' assignments spent some.
        A stream still counts as able to pay a charge up to its whole budget (`*_total`), so that a
        need is told unfundable only when the whole budget could not pay."""
        needs = np.asarray(needs, dtype=np.int64)
        part = copy.copy(self)
        for name in _NEED_ARRAYS:
            setattr(part, name, getattr(self, name)[needs])
        part.need_ids = [self.need_ids[need] for need in needs.tolist()]
        part.need_index = {nid: position for position, nid in enumerate(part.need_ids)}
        part.need_priority = [self.need_priority[need] for need in needs.tolist()]
        part.n_needs = len(needs)
        part.split = True
        if len(self.excluded_keys):
            position = np.full(self.n_needs, -1, dtype=np.int64)
            position[needs] = np.arange(len(needs))
            new_need = position[self.excluded_keys // self.n_offers]
            inside = new_need >= 0
            part.excluded_keys = np.unique(
                new_need[inside] * self.n_offers + self.excluded_keys[inside] % self.n_offers
            )
        part.fam_budget = np.asarray(fam_budget, dtype=np.int64)
        part.stream_budget_arr = np.asarray(stream_budget, dtype=np.int64)
        part.fam_budget_total = self.fam_budget_total
        part.stream_budget_total = self.stream_budget_total
        return part

    def assignment(self, need: int, offer: int, stream: int) -> dict[str, Any]:
        """An entry of a result's `assignments` (stream -1: a free offer)."""
        return {
            "need": self.need_ids[need],
            "offer": self.offer_ids[offer],
            "stream": self.stream_ids[stream] if stream >= 0 else None,
        }

    def is_excluded(self, needs: IntArray, offers: IntArray) -> BoolArray:
        """Mask of the pairs needs (column) x offers (row) that the problem excludes."""
        if not len(self.excluded_keys):
            return np.zeros(np.broadcast_shapes(np.shape(needs), np.shape(offers)), dtype=bool)
        return np.isin(needs * self.n_offers + offers, self.excluded_keys)

    def _store_offer(self, position: int, offer: OfferFields) -> None:
        """Code a checked offer into `position` of the offer arrays (absent attributes keep the defaults)."""
        self.offer_cat[position] = self.categories.setdefault(offer.category, len(self.categories))
        self.offer_cap[position] = offer.capacity
        self.offer_cost[position] = offer.cost
        if offer.available_from is not None:
            self.offer_from[position] = offer.available_from
        until = offer.available_until
        self.offer_until_ok[position] = until is None or self.date is None or until >= self.date
        if offer.item is not None:
            self.offer_item[position] = self.items.setdefault(offer.item, len(self.items) - 1)
        if offer.bedrooms is not None:
            self.offer_bed[position] = offer.bedrooms
        if offer.rent is not None:
            self.offer_rent[position] = offer.rent
        self.offer_step_free[position] = offer.step_free
        self.offer_halal[position] = offer.halal
        self.offer_home[position] = offer.home_visit
        has, lat, lon, cos_lat = offer.location
        self.offer_has_loc[position], self.offer_lat[position], self.offer_lon[position], self.offer_cos[position] = (
            has,
            lat,
            lon,
            cos_lat,
        )

    def _offer_languages(self, lang_sets: list[list[str]]) -> None:
        """Offer x language matrix, once every offer is read; languages only matter where a need asks for one."""
        self.offer_langs = np.zeros((self.n_offers, max(1, len(self.languages))), dtype=bool)
        for offer, langs in enumerate(lang_sets):
            for language in langs:
                code = self.languages.get(language)
                if code is not None:
                    self.offer_langs[offer, code] = True

    def _stream_arrays(self) -> None:
        """Streams as arrays (which category each pays for, which item each excludes), once every category
        and item has its code."""
        n_categories, n_items, n_streams = len(self.categories), len(self.items), self.n_streams
        self.stream_pays_cat = np.zeros((n_streams, max(1, n_categories)), dtype=bool)
        self.stream_excl_item = np.zeros((n_streams, n_items), dtype=bool)  # the last column is "no item"
        for stream in range(n_streams):
            for category in self.stream_categories[stream]:
                code = self.categories.get(category)
                if code is not None:
                    self.stream_pays_cat[stream, code] = True
            for item in self.stream_excluded[stream]:
                code = self.items.get(item)
                if code is not None and code >= 0:
                    self.stream_excl_item[stream, code] = True
        self.stream_budget_arr = np.array(self.stream_budget, dtype=np.int64)
        self.stream_is_family = np.array(self.stream_scope_family, dtype=bool)
        # the whole budgets (a part of the problem has what others left in the two above)
        self.fam_budget_total: IntArray = self.fam_budget
        self.stream_budget_total: IntArray = self.stream_budget_arr

    # ---- helpers ------------------------------------------------------------------------------------
    def value_scalar(self, need: int, offer: int, dist: float) -> float:
        charge = int(self.offer_cost[offer]) * int(self.need_units[need])
        return float(self.need_pv[need]) - self.cost_weight * charge / 100 - self.distance_weight * dist

    def distance_scalar(self, need: int, offer: int) -> float:
        """Distance the way the rules state it (scalar maths), 0 where a location is absent."""
        if not (self.need_has_loc[need] and self.offer_has_loc[offer]):
            return 0.0
        return hav_scalar(
            float(self.need_lat[need]),
            float(self.need_lon[need]),
            float(self.need_cos[need]),
            float(self.offer_lat[offer]),
            float(self.offer_lon[offer]),
            float(self.offer_cos[offer]),
        )


def hav_scalar(lat1: float, lon1: float, cos1: float, lat2: float, lon2: float, cos2: float) -> float:
    sin_half_lat = math.sin((lat2 - lat1) / 2)
    sin_half_lon = math.sin((lon2 - lon1) / 2)
    chord = sin_half_lat * sin_half_lat + cos1 * cos2 * sin_half_lon * sin_half_lon
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, chord)))
