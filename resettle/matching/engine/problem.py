"""Reading and validating a matching problem (format version 1) into numpy arrays."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

EARTH_RADIUS_KM = 6371.0088
DISTANCE_TOL_KM = 1e-9
RULES = ("category", "item", "bedrooms", "rent", "step_free", "language", "halal", "home_visit",
         "distance", "dates", "units", "value")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FAR_PAST = -(10**9)
_FAR_FUTURE = 10**9


class ProblemError(ValueError):
    """A malformed problem: the message names what is wrong, on one line."""


def _fail(msg):
    raise ProblemError(msg)


def _is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _id(x, what):
    if isinstance(x, bool) or not isinstance(x, (str, int)) or x == "":
        _fail(f"{what} has a missing or invalid id {x!r}")
    return x


def _obj(x, what):
    if not isinstance(x, dict):
        _fail(f"{what} must be a JSON object")
    return x


def _opt_obj(x, what):
    if x is None:
        return {}
    return _obj(x, what)


def _list(x, what, optional=False):
    if x is None and optional:
        return []
    if not isinstance(x, list):
        _fail(f"{what} must be a list")
    return x


def _date(x, what, optional=True):
    if x is None:
        if optional:
            return None
        _fail(f"{what} is missing")
    if not isinstance(x, str) or not _DATE.match(x):
        _fail(f"{what} must be a YYYY-MM-DD date, not {x!r}")
    try:
        return dt.date.fromisoformat(x).toordinal()
    except ValueError:
        _fail(f"{what} is not a valid date: {x!r}")


def _opt_bool(x, what):
    if x is None:
        return False
    if not isinstance(x, bool):
        _fail(f"{what} must be true or false, not {x!r}")
    return x


def _opt_num(x, what, minimum=None):
    if x is None:
        return None
    if not _is_num(x):
        _fail(f"{what} must be a number, not {x!r}")
    if minimum is not None and x < minimum:
        _fail(f"{what} must be at least {minimum}, not {x!r}")
    return float(x)


def _opt_str(x, what):
    if x is None:
        return None
    if not isinstance(x, str):
        _fail(f"{what} must be a string, not {x!r}")
    return x


def _location(x, what):
    """(has, lat_rad, lon_rad, cos_lat)."""
    if x is None:
        return False, 0.0, 0.0, 1.0
    if not isinstance(x, list) or len(x) != 2 or not all(_is_num(v) for v in x):
        _fail(f"{what} must be [latitude, longitude], not {x!r}")
    lat, lon = float(x[0]), float(x[1])
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        _fail(f"{what} is out of range: {x!r}")
    lat, lon = math.radians(lat), math.radians(lon)
    return True, lat, lon, math.cos(lat)


class Problem:
    """A validated problem. Needs, offers, families and streams are numbered by their position in the
    file; per-entity attributes are numpy arrays."""

    def __init__(self, data):
        _obj(data, "the problem")
        if "version" not in data:
            _fail("the problem has no version (expected 1)")
        if data.get("version") != 1 or isinstance(data.get("version"), bool):
            _fail("unknown problem version {!r} (expected 1)".format(data.get("version")))
        self.date = _date(data.get("date"), "date")
        self._weights(data.get("weights"))
        self._streams(_list(data.get("streams"), "streams", optional=True))
        self._families(_list(data.get("families"), "families"))
        self._needs(_list(data.get("needs"), "needs"))
        self._offers(_list(data.get("offers"), "offers"))

    # ---- parts ------------------------------------------------------------------------------------
    def _weights(self, w):
        w = _obj(w, "weights")
        pv = _obj(w.get("priority_value"), "weights.priority_value")
        self.pv_table = {}
        for k, v in pv.items():
            if not _is_num(v):
                _fail(f"weights.priority_value[{k!r}] must be a number")
            self.pv_table[str(k)] = float(v)
        self.cw = _opt_num(w.get("cost_weight"), "weights.cost_weight") or 0.0
        self.dw = _opt_num(w.get("distance_weight"), "weights.distance_weight") or 0.0

    def _streams(self, streams):
        self.stream_ids = []
        self.stream_index = {}
        self.stream_scope_family = []
        self.stream_budget = []
        self.stream_categories = []
        self.stream_excluded = []
        for k, s in enumerate(streams):
            s = _obj(s, f"streams[{k}]")
            sid = _id(s.get("id"), f"streams[{k}]")
            if sid in self.stream_index:
                _fail(f"duplicate stream id {sid!r}")
            scope = s.get("scope")
            if scope not in ("family", "pool"):
                _fail(f"stream {sid} has scope {scope!r} (expected family or pool)")
            budget = 0
            if scope == "pool":
                budget = s.get("budget")
                if not _is_int(budget) or budget < 0:
                    _fail(f"pool stream {sid} needs a budget in whole pence >= 0, not {budget!r}")
            cats = _list(s.get("categories"), f"stream {sid} categories")
            exc = _list(s.get("excluded_items"), f"stream {sid} excluded_items", optional=True)
            for c in cats + exc:
                if not isinstance(c, str):
                    _fail(f"stream {sid} lists a non-string category or item {c!r}")
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
        self.fam_budget = np.zeros((F, S), dtype=np.int64)   # family-scope budgets (0 elsewhere)
        self.fam_has_loc = np.zeros(F, dtype=bool)
        self.fam_lat = np.zeros(F)
        self.fam_lon = np.zeros(F)
        self.fam_cos = np.ones(F)
        for k, f in enumerate(families):
            f = _obj(f, f"families[{k}]")
            fid = _id(f.get("id"), f"families[{k}]")
            if fid in self.family_index:
                _fail(f"duplicate family id {fid!r}")
            self.family_index[fid] = k
            self.family_ids.append(fid)
            has, lat, lon, c = _location(f.get("location"), f"family {fid} location")
            self.fam_has_loc[k], self.fam_lat[k], self.fam_lon[k], self.fam_cos[k] = has, lat, lon, c
            for sid, amount in _opt_obj(f.get("budgets"), f"family {fid} budgets").items():
                s = self.stream_index.get(sid)
                if s is None:
                    _fail(f"family {fid} has a budget for unknown stream {sid!r}")
                if not self.stream_scope_family[s]:
                    _fail(f"family {fid} has a budget for pool stream {sid} (list it in pools)")
                if not _is_int(amount) or amount < 0:
                    _fail(f"family {fid} budget for {sid} must be whole pence >= 0, not {amount!r}")
                self.fam_open[k, s] = True
                self.fam_budget[k, s] = amount
            for sid in _list(f.get("pools"), f"family {fid} pools", optional=True):
                s = self.stream_index.get(sid) if isinstance(sid, (str, int)) else None
                if s is None:
                    _fail(f"family {fid} lists unknown pool {sid!r}")
                if self.stream_scope_family[s]:
                    _fail(f"family {fid} lists family-scope stream {sid} among its pools")
                self.fam_open[k, s] = True

    def _needs(self, needs):
        N = len(needs)
        self.need_ids = []
        self.need_index = {}
        self.categories = {}      # name -> code (shared by needs and offers)
        self.items = {None: -1}   # name -> code
        self.languages = {}
        self.need_fam = np.zeros(N, dtype=np.int64)
        self.need_cat = np.zeros(N, dtype=np.int64)
        self.need_item = np.full(N, -1, dtype=np.int64)
        self.need_units = np.ones(N, dtype=np.int64)
        self.need_priority = [None] * N
        self.need_pv = np.zeros(N)
        self.need_bmin = np.full(N, np.nan)
        self.need_rmax = np.full(N, np.inf)
        self.need_step_free = np.zeros(N, dtype=bool)
        self.need_lang = np.full(N, -1, dtype=np.int64)
        self.need_halal = np.zeros(N, dtype=bool)
        self.need_home = np.zeros(N, dtype=bool)
        self.need_maxd = np.full(N, np.inf)
        self.need_by = np.full(N, _FAR_FUTURE, dtype=np.int64)
        for k, n in enumerate(needs):
            n = _obj(n, f"needs[{k}]")
            nid = _id(n.get("id"), f"needs[{k}]")
            if nid in self.need_index:
                _fail(f"duplicate need id {nid!r}")
            self.need_index[nid] = k
            self.need_ids.append(nid)
            fid = n.get("family")
            fam = self.family_index.get(fid) if isinstance(fid, (str, int)) else None
            if fam is None:
                _fail(f"need {nid} names unknown family {fid!r}")
            self.need_fam[k] = fam
            cat = n.get("category")
            if not isinstance(cat, str):
                _fail(f"need {nid} has no category")
            self.need_cat[k] = self.categories.setdefault(cat, len(self.categories))
            pr = n.get("priority")
            if isinstance(pr, bool) or not isinstance(pr, (int, str)) or str(pr) not in self.pv_table:
                _fail(f"need {nid} has priority {pr!r} with no priority_value")
            self.need_priority[k] = pr
            self.need_pv[k] = self.pv_table[str(pr)]
            units = n.get("units", 1)
            if units is None:
                units = 1
            if not _is_int(units) or units < 1:
                _fail(f"need {nid} has units {units!r} (expected a whole number >= 1)")
            self.need_units[k] = units
            if n.get("needed_by") is not None:
                self.need_by[k] = _date(n.get("needed_by"), f"need {nid} needed_by")
            req = _opt_obj(n.get("requires"), f"need {nid} requires")
            item = _opt_str(req.get("item"), f"need {nid} requires.item")
            if item is not None:
                self.need_item[k] = self.items.setdefault(item, len(self.items) - 1)
            b = _opt_num(req.get("bedrooms_min"), f"need {nid} requires.bedrooms_min")
            if b is not None:
                self.need_bmin[k] = b
            r = _opt_num(req.get("rent_max"), f"need {nid} requires.rent_max")
            if r is not None:
                self.need_rmax[k] = r
            self.need_step_free[k] = _opt_bool(req.get("step_free"), f"need {nid} requires.step_free")
            lang = _opt_str(req.get("language"), f"need {nid} requires.language")
            if lang is not None:
                self.need_lang[k] = self.languages.setdefault(lang, len(self.languages))
            self.need_halal[k] = _opt_bool(req.get("halal"), f"need {nid} requires.halal")
            self.need_home[k] = _opt_bool(req.get("home_visit"), f"need {nid} requires.home_visit")
            d = _opt_num(req.get("max_distance_km"), f"need {nid} requires.max_distance_km", minimum=0)
            if d is not None:
                self.need_maxd[k] = d
        self.n_needs = N
        f = self.need_fam
        self.need_has_loc = self.fam_has_loc[f]
        self.need_lat = self.fam_lat[f]
        self.need_lon = self.fam_lon[f]
        self.need_cos = self.fam_cos[f]

    def _offers(self, offers):
        O = len(offers)
        self.offer_ids = []
        self.offer_index = {}
        self.offer_cat = np.zeros(O, dtype=np.int64)
        self.offer_item = np.full(O, -1, dtype=np.int64)
        self.offer_cap = np.zeros(O, dtype=np.int64)
        self.offer_cost = np.zeros(O, dtype=np.int64)
        self.offer_bed = np.full(O, np.nan)
        self.offer_rent = np.full(O, -np.inf)
        self.offer_step_free = np.zeros(O, dtype=bool)
        self.offer_halal = np.zeros(O, dtype=bool)
        self.offer_home = np.zeros(O, dtype=bool)
        self.offer_has_loc = np.zeros(O, dtype=bool)
        self.offer_lat = np.zeros(O)
        self.offer_lon = np.zeros(O)
        self.offer_cos = np.ones(O)
        self.offer_from = np.full(O, _FAR_PAST, dtype=np.int64)
        self.offer_until_ok = np.ones(O, dtype=bool)
        lang_sets = []
        for k, o in enumerate(offers):
            o = _obj(o, f"offers[{k}]")
            oid = _id(o.get("id"), f"offers[{k}]")
            if oid in self.offer_index:
                _fail(f"duplicate offer id {oid!r}")
            self.offer_index[oid] = k
            self.offer_ids.append(oid)
            cat = o.get("category")
            if not isinstance(cat, str):
                _fail(f"offer {oid} has no category")
            self.offer_cat[k] = self.categories.setdefault(cat, len(self.categories))
            cap = o.get("capacity")
            if not _is_int(cap) or cap < 0:
                _fail(f"offer {oid} has capacity {cap!r} (expected a whole number >= 0)")
            self.offer_cap[k] = cap
            cost = o.get("cost", 0)
            if cost is None:
                cost = 0
            if not _is_int(cost) or cost < 0:
                _fail(f"offer {oid} has cost {cost!r} (expected whole pence >= 0)")
            self.offer_cost[k] = cost
            if o.get("available_from") is not None:
                self.offer_from[k] = _date(o.get("available_from"), f"offer {oid} available_from")
            until = _date(o.get("available_until"), f"offer {oid} available_until")
            self.offer_until_ok[k] = until is None or self.date is None or until >= self.date
            at = _opt_obj(o.get("attributes"), f"offer {oid} attributes")
            item = _opt_str(at.get("item"), f"offer {oid} attributes.item")
            if item is not None:
                self.offer_item[k] = self.items.setdefault(item, len(self.items) - 1)
            b = _opt_num(at.get("bedrooms"), f"offer {oid} attributes.bedrooms")
            if b is not None:
                self.offer_bed[k] = b
            r = _opt_num(at.get("rent"), f"offer {oid} attributes.rent")
            if r is not None:
                self.offer_rent[k] = r
            self.offer_step_free[k] = _opt_bool(at.get("step_free"), f"offer {oid} attributes.step_free")
            self.offer_halal[k] = _opt_bool(at.get("halal"), f"offer {oid} attributes.halal")
            self.offer_home[k] = _opt_bool(at.get("home_visit"), f"offer {oid} attributes.home_visit")
            langs = _list(at.get("languages"), f"offer {oid} attributes.languages", optional=True)
            for lg in langs:
                if not isinstance(lg, str):
                    _fail(f"offer {oid} lists a non-string language {lg!r}")
            lang_sets.append(langs)
            has, lat, lon, c = _location(at.get("location"), f"offer {oid} attributes.location")
            self.offer_has_loc[k], self.offer_lat[k], self.offer_lon[k], self.offer_cos[k] = has, lat, lon, c
        self.n_offers = O
        # languages only matter where a need asks for one
        self.offer_langs = np.zeros((O, max(1, len(self.languages))), dtype=bool)
        for k, langs in enumerate(lang_sets):
            for lg in langs:
                code = self.languages.get(lg)
                if code is not None:
                    self.offer_langs[k, code] = True
        self.item_names = {v: k for k, v in self.items.items()}
        self.category_names = {v: k for k, v in self.categories.items()}
        # streams as arrays: which category / item each stream pays for
        C, Itm, S = len(self.categories), len(self.items), self.n_streams
        self.stream_pays_cat = np.zeros((S, max(1, C)), dtype=bool)
        self.stream_excl_item = np.zeros((S, Itm), dtype=bool)   # column Itm-1 is "no item"
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
        return hav_scalar(float(self.need_lat[n]), float(self.need_lon[n]), float(self.need_cos[n]),
                          float(self.offer_lat[o]), float(self.offer_lon[o]), float(self.offer_cos[o]))


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
