"""Reading and validating a matching problem (format version 1) into numpy arrays."""

from __future__ import annotations

import math

import numpy as np

from .validation import (
    MAX_BUDGET_PENCE,
    MAX_WEIGHT,
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

_FAR_PAST = -(10**9)
_FAR_FUTURE = 10**9


class Problem:
    """A validated problem. Needs, offers, families and streams are numbered by their position in the
    file; per-entity attributes are numpy arrays."""

    def __init__(self, data):
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

    # ---- parts ------------------------------------------------------------------------------------
    def _weights(self, w):
        w = read_object(w, "weights")
        pv = read_object(w.get("priority_value"), "weights.priority_value")
        self.pv_table = {}
        for k, v in pv.items():
            if not is_number(v):
                fail(f"weights.priority_value[{k!r}] must be a number")
            read_optional_number(v, f"weights.priority_value[{k!r}]", maximum=MAX_WEIGHT)
            self.pv_table[str(k)] = float(v)
        self.cw = read_optional_number(w.get("cost_weight"), "weights.cost_weight", maximum=MAX_WEIGHT) or 0.0
        self.dw = read_optional_number(w.get("distance_weight"), "weights.distance_weight", maximum=MAX_WEIGHT) or 0.0

    def _streams(self, streams):
        self.stream_ids = []
        self.stream_index = {}
        self.stream_scope_family = []
        self.stream_budget = []
        self.stream_categories = []
        self.stream_excluded = []
        for k, s in enumerate(streams):
            s = read_object(s, f"streams[{k}]")
            sid = read_id(s.get("id"), f"streams[{k}]")
            if sid in self.stream_index:
                fail(f"duplicate stream id {sid!r}")
            scope = s.get("scope")
            if scope not in ("family", "pool"):
                fail(f"stream {sid} has scope {scope!r} (expected family or pool)")
            budget = 0
            if scope == "pool":
                budget = read_whole_number(
                    s.get("budget"), f"pool stream {sid} budget", 0, MAX_BUDGET_PENCE, " of pence"
                )
            cats = read_list(s.get("categories"), f"stream {sid} categories")
            exc = read_list(s.get("excluded_items"), f"stream {sid} excluded_items", optional=True)
            for c in cats + exc:
                if not isinstance(c, str):
                    fail(f"stream {sid} lists a non-string category or item {c!r}")
            self.stream_index[sid] = k
            self.stream_ids.append(sid)
            self.stream_scope_family.append(scope == "family")
            self.stream_budget.append(budget)
            self.stream_categories.append(frozenset(cats))
            self.stream_excluded.append(frozenset(exc))
        self.n_streams = len(self.stream_ids)

    def _families(self, families):
        S = self.n_streams
        F = len(families)
        self.family_ids = []
        self.family_index = {}
        self.fam_open = np.zeros((F, S), dtype=bool)
        self.fam_budget = np.zeros((F, S), dtype=np.int64)  # family-scope budgets (0 elsewhere)
        self.fam_has_loc = np.zeros(F, dtype=bool)
        self.fam_lat = np.zeros(F)
        self.fam_lon = np.zeros(F)
        self.fam_cos = np.ones(F)
        for k, f in enumerate(families):
            f = read_object(f, f"families[{k}]")
            fid = read_id(f.get("id"), f"families[{k}]")
            if fid in self.family_index:
                fail(f"duplicate family id {fid!r}")
            self.family_index[fid] = k
            self.family_ids.append(fid)
            has, lat, lon, c = read_location(f.get("location"), f"family {fid} location")
            self.fam_has_loc[k], self.fam_lat[k], self.fam_lon[k], self.fam_cos[k] = has, lat, lon, c
            for sid, amount in read_optional_object(f.get("budgets"), f"family {fid} budgets").items():
                s = self.stream_index.get(sid)
                if s is None:
                    fail(f"family {fid} has a budget for unknown stream {sid!r}")
                if not self.stream_scope_family[s]:
                    fail(f"family {fid} has a budget for pool stream {sid} (list it in pools)")
                read_whole_number(amount, f"family {fid} budget for {sid}", 0, MAX_BUDGET_PENCE, " of pence")
                self.fam_open[k, s] = True
                self.fam_budget[k, s] = amount
            for sid in read_list(f.get("pools"), f"family {fid} pools", optional=True):
                s = self.stream_index.get(sid) if isinstance(sid, (str, int)) else None
                if s is None:
                    fail(f"family {fid} lists unknown pool {sid!r}")
                if self.stream_scope_family[s]:
                    fail(f"family {fid} lists family-scope stream {sid} among its pools")
                self.fam_open[k, s] = True

    def _needs(self, needs):
        n_needs = len(needs)
        self.need_ids = []
        self.need_index = {}
        self.categories = {}  # name -> code (shared by needs and offers)
        self.items = {None: -1}  # name -> code
        self.languages = {}
        self.need_fam = np.zeros(n_needs, dtype=np.int64)
        self.need_cat = np.zeros(n_needs, dtype=np.int64)
        self.need_item = np.full(n_needs, -1, dtype=np.int64)
        self.need_units = np.ones(n_needs, dtype=np.int64)
        self.need_priority = [None] * n_needs
        self.need_pv = np.zeros(n_needs)
        self.need_bmin = np.full(n_needs, np.nan)
        self.need_rmax = np.full(n_needs, np.inf)
        self.need_step_free = np.zeros(n_needs, dtype=bool)
        self.need_lang = np.full(n_needs, -1, dtype=np.int64)
        self.need_halal = np.zeros(n_needs, dtype=bool)
        self.need_home = np.zeros(n_needs, dtype=bool)
        self.need_maxd = np.full(n_needs, np.inf)
        self.need_by = np.full(n_needs, _FAR_FUTURE, dtype=np.int64)
        self._excluded_ids = []
        self._keep_ids = []
        for k, raw in enumerate(needs):
            need = read_need(raw, k, self.need_index, self.family_index, self.pv_table)
            self.need_index[need.id] = k
            self.need_ids.append(need.id)
            self._store_need(k, need)
            self._excluded_ids.append(need.excluded_offers)
            self._keep_ids.append(need.keep_offer)
        self.n_needs = n_needs
        f = self.need_fam
        self.need_has_loc = self.fam_has_loc[f]
        self.need_lat = self.fam_lat[f]
        self.need_lon = self.fam_lon[f]
        self.need_cos = self.fam_cos[f]

    def _store_need(self, k, need):
        """Code a checked need into position k of the need arrays (absent requirements keep the defaults)."""
        self.need_fam[k] = need.family
        self.need_cat[k] = self.categories.setdefault(need.category, len(self.categories))
        self.need_priority[k] = need.priority
        self.need_pv[k] = self.pv_table[str(need.priority)]
        self.need_units[k] = need.units
        if need.needed_by is not None:
            self.need_by[k] = need.needed_by
        if need.item is not None:
            self.need_item[k] = self.items.setdefault(need.item, len(self.items) - 1)
        if need.bedrooms_min is not None:
            self.need_bmin[k] = need.bedrooms_min
        if need.rent_max is not None:
            self.need_rmax[k] = need.rent_max
        self.need_step_free[k] = need.step_free
        if need.language is not None:
            self.need_lang[k] = self.languages.setdefault(need.language, len(self.languages))
        self.need_halal[k] = need.halal
        self.need_home[k] = need.home_visit
        if need.max_distance_km is not None:
            self.need_maxd[k] = need.max_distance_km

    def _offers(self, offers):
        n_offers = len(offers)
        self.offer_ids = []
        self.offer_index = {}
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
        lang_sets = []
        for k, raw in enumerate(offers):
            offer = read_offer(raw, k, self.offer_index)
            self.offer_index[offer.id] = k
            self.offer_ids.append(offer.id)
            self._store_offer(k, offer)
            lang_sets.append(offer.languages)
        self.n_offers = n_offers
        self._offer_languages(lang_sets)
        self.item_names = {v: k for k, v in self.items.items()}
        self.category_names = {v: k for k, v in self.categories.items()}
        self._stream_arrays()

    def _exclusions(self):
        """The `excluded_offers` extension as sorted pair keys (need * n_offers + offer): pairs the rules
        must treat as incompatible (rule "rejected"), for example a pairing a caseworker already turned down."""
        keys = []
        for k, ids in enumerate(self._excluded_ids):
            for oid in ids:
                o = self.offer_index.get(oid)
                if o is None:
                    fail(f"need {self.need_ids[k]} excludes unknown offer {oid!r}")
                keys.append(k * self.n_offers + o)
        self.excluded_keys = np.unique(np.array(keys, dtype=np.int64))
        del self._excluded_ids
        # the `keep_offer` extension: per need, the offer of its undecided proposal (-1: none)
        self.need_keep = np.full(self.n_needs, -1, dtype=np.int64)
        for k, oid in enumerate(self._keep_ids):
            if oid is not None:
                o = self.offer_index.get(oid)
                if o is None:
                    fail(f"need {self.need_ids[k]} keeps unknown offer {oid!r}")
                self.need_keep[k] = o
        del self._keep_ids

    def is_excluded(self, nn, oo):
        """Mask of the pairs needs nn (k, 1) x offers oo (1, m) that the problem excludes."""
        if not len(self.excluded_keys):
            return np.zeros(np.broadcast_shapes(np.shape(nn), np.shape(oo)), dtype=bool)
        return np.isin(nn * self.n_offers + oo, self.excluded_keys)

    def _store_offer(self, k, offer):
        """Code a checked offer into position k of the offer arrays (absent attributes keep the defaults)."""
        self.offer_cat[k] = self.categories.setdefault(offer.category, len(self.categories))
        self.offer_cap[k] = offer.capacity
        self.offer_cost[k] = offer.cost
        if offer.available_from is not None:
            self.offer_from[k] = offer.available_from
        until = offer.available_until
        self.offer_until_ok[k] = until is None or self.date is None or until >= self.date
        if offer.item is not None:
            self.offer_item[k] = self.items.setdefault(offer.item, len(self.items) - 1)
        if offer.bedrooms is not None:
            self.offer_bed[k] = offer.bedrooms
        if offer.rent is not None:
            self.offer_rent[k] = offer.rent
        self.offer_step_free[k] = offer.step_free
        self.offer_halal[k] = offer.halal
        self.offer_home[k] = offer.home_visit
        has, lat, lon, c = offer.location
        self.offer_has_loc[k], self.offer_lat[k], self.offer_lon[k], self.offer_cos[k] = has, lat, lon, c

    def _offer_languages(self, lang_sets):
        """Offer x language matrix, once every offer is read; languages only matter where a need asks for one."""
        self.offer_langs = np.zeros((self.n_offers, max(1, len(self.languages))), dtype=bool)
        for k, langs in enumerate(lang_sets):
            for lg in langs:
                code = self.languages.get(lg)
                if code is not None:
                    self.offer_langs[k, code] = True

    def _stream_arrays(self):
        """Streams as arrays (which category each pays for, which item each excludes), once every category
        and item has its code."""
        C, Itm, S = len(self.categories), len(self.items), self.n_streams
        self.stream_pays_cat = np.zeros((S, max(1, C)), dtype=bool)
        self.stream_excl_item = np.zeros((S, Itm), dtype=bool)  # column Itm-1 is "no item"
        for s in range(S):
            for c in self.stream_categories[s]:
                code = self.categories.get(c)
                if code is not None:
                    self.stream_pays_cat[s, code] = True
            for it in self.stream_excluded[s]:
                code = self.items.get(it)
                if code is not None and code >= 0:
                    self.stream_excl_item[s, code] = True
        self.stream_budget_arr = np.array(self.stream_budget, dtype=np.int64)
        self.stream_is_family = np.array(self.stream_scope_family, dtype=bool)

    # ---- helpers ------------------------------------------------------------------------------------
    def value_scalar(self, n, o, dist):
        charge = int(self.offer_cost[o]) * int(self.need_units[n])
        return float(self.need_pv[n]) - self.cw * charge / 100 - self.dw * dist

    def distance_scalar(self, n, o):
        """Distance the way the rules state it (scalar maths), 0 where a location is absent."""
        if not (self.need_has_loc[n] and self.offer_has_loc[o]):
            return 0.0
        return hav_scalar(
            float(self.need_lat[n]),
            float(self.need_lon[n]),
            float(self.need_cos[n]),
            float(self.offer_lat[o]),
            float(self.offer_lon[o]),
            float(self.offer_cos[o]),
        )


def hav_scalar(lat1, lon1, cos1, lat2, lon2, cos2):
    s1 = math.sin((lat2 - lat1) / 2)
    s2 = math.sin((lon2 - lon1) / 2)
    a = s1 * s1 + cos1 * cos2 * s2 * s2
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def hav_vec(lat1, lon1, cos1, lat2, lon2, cos2):
    s1 = np.sin((lat2 - lat1) / 2)
    s2 = np.sin((lon2 - lon1) / 2)
    a = s1 * s1 + cos1 * cos2 * s2 * s2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
