"""An independent check of a matching result against its problem, written from the spec's text (it
shares no code with the engine): every need once, compatible pairs, capacity, funding and budgets,
correct reasons for unmet needs, and the objective recomputed.

    report = check(problem_dict, result_dict)
    report.ok, report.violations, report.objective
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

R_KM = 6371.0088


@dataclass
class Report:
    objective: float = 0.0
    violations: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.violations


def distance_km(a, b):
    if a is None or b is None:
        return 0.0
    la1, lo1, la2, lo2 = (math.radians(v) for v in (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * R_KM * math.asin(math.sqrt(min(1.0, h)))


class Instance:
    """The problem with its entities by id and the spec's rules."""

    def __init__(self, data):
        self.data = data
        self.date = data.get("date")
        w = data["weights"]
        self.pv = {str(k): v for k, v in w["priority_value"].items()}
        self.cw = w.get("cost_weight") or 0.0
        self.dw = w.get("distance_weight") or 0.0
        self.streams = {s["id"]: s for s in data.get("streams") or []}
        self.families = {f["id"]: f for f in data["families"]}
        self.needs = {n["id"]: n for n in data["needs"]}
        self.offers = {o["id"]: o for o in data["offers"]}
        self.by_category = defaultdict(list)
        for o in data["offers"]:
            self.by_category[o["category"]].append(o)

    def charge(self, n, o):
        return (o.get("cost") or 0) * (n.get("units") or 1)

    def distance(self, n, o):
        return distance_km(self.families[n["family"]].get("location"), (o.get("attributes") or {}).get("location"))

    def value(self, n, o):
        return self.pv[str(n["priority"])] - self.cw * self.charge(n, o) / 100 - self.dw * self.distance(n, o)

    def failed_rules(self, n, o):
        """The rules of the compatibility table that pair (n, o) breaks (category aside)."""
        req, at = n.get("requires") or {}, o.get("attributes") or {}
        out = []
        if req.get("item") is not None and req["item"] != at.get("item"):
            out.append("item")
        if req.get("bedrooms_min") is not None and not (
            at.get("bedrooms") is not None and at["bedrooms"] >= req["bedrooms_min"]
        ):
            out.append("bedrooms")
        if req.get("rent_max") is not None and at.get("rent") is not None and at["rent"] > req["rent_max"]:
            out.append("rent")
        for flag in ("step_free", "halal", "home_visit"):
            if req.get(flag) is True and at.get(flag) is not True:
                out.append(flag)
        if req.get("language") is not None and req["language"] not in (at.get("languages") or []):
            out.append("language")
        return out + self._placement_rules(n, o)

    def _placement_rules(self, n, o):
        """The rules about where, when, how much and whether at all (distance to rejected)."""
        req, at = n.get("requires") or {}, o.get("attributes") or {}
        out = []
        home = self.families[n["family"]].get("location")
        if req.get("max_distance_km") is not None and home is not None and at.get("location") is not None:
            if distance_km(home, at["location"]) > req["max_distance_km"] + 1e-9:
                out.append("distance")
        start, until = o.get("available_from"), o.get("available_until")
        if (start is not None and n.get("needed_by") is not None and start > n["needed_by"]) or (
            until is not None and until < self.date
        ):
            out.append("dates")
        if (n.get("units") or 1) > o["capacity"]:
            out.append("units")
        if not self.value(n, o) > 0:
            out.append("value")
        if o["id"] in (n.get("excluded_offers") or []):
            out.append("rejected")
        return out

    def compatible(self, n, o):
        return o["category"] == n["category"] and not self.failed_rules(n, o)

    def payers(self, n, o):
        """Streams that may pay for pair (n, o) (open to the family, right category, item allowed)."""
        fam = self.families[n["family"]]
        item = (o.get("attributes") or {}).get("item")
        out = []
        for sid, s in self.streams.items():
            open_ = sid in (fam.get("budgets") or {}) if s["scope"] == "family" else sid in (fam.get("pools") or [])
            if open_ and n["category"] in s["categories"] and item not in (s.get("excluded_items") or []):
                out.append(sid)
        return out

    def budget_key(self, n, sid):
        return (sid, n["family"]) if self.streams[sid]["scope"] == "family" else (sid, None)

    def budget(self, key):
        sid, fam = key
        return self.families[fam]["budgets"][sid] if fam is not None else self.streams[sid]["budget"]


def check(data, result):
    """Check `result` against the problem `data`; the report lists every violation found."""
    p = Instance(data)
    rep = Report()
    bad = rep.violations.append
    seen, used_cap, spent = _check_assignments(p, result, rep)
    for u in result["unmet"]:
        seen[u["need"]] += 1
    for nid in p.needs:
        if seen[nid] != 1:
            bad(f"need {nid} appears {seen[nid]} times")
    for oid, units in used_cap.items():
        if units > p.offers[oid]["capacity"]:
            bad(f"offer {oid} holds {units} units, capacity {p.offers[oid]['capacity']}")
    for key, total in spent.items():
        if total > p.budget(key):
            bad(f"budget {key} spent {total} of {p.budget(key)}")
    for u in result["unmet"]:
        if u["need"] in p.needs:
            _check_reason(p, u, used_cap, spent, bad)
    return rep


def _check_assignments(p, result, rep):
    """Each assignment's pair and stream; returns the needs seen, the capacity used and the money spent."""
    bad = rep.violations.append
    seen = defaultdict(int)
    used_cap = defaultdict(int)
    spent = defaultdict(int)
    for a in result["assignments"]:
        n, o = p.needs.get(a["need"]), p.offers.get(a["offer"])
        if n is None or o is None:
            bad(f"assignment {a} names an unknown need or offer")
            continue
        seen[n["id"]] += 1
        if not p.compatible(n, o):
            bad(f"{n['id']} -> {o['id']} is not compatible: {p.failed_rules(n, o)}")
        used_cap[o["id"]] += n.get("units") or 1
        charge = p.charge(n, o)
        sid = a.get("stream")
        if charge > 0:
            if sid not in p.payers(n, o):
                bad(f"{n['id']} -> {o['id']} costs {charge} but stream {sid!r} may not pay it")
            else:
                spent[p.budget_key(n, sid)] += charge
        elif sid is not None:
            bad(f"{n['id']} -> {o['id']} is free but names stream {sid!r}")
        rep.objective += p.value(n, o)
    return seen, used_cap, spent


def _check_reason(p, u, used_cap, spent, bad):
    n = p.needs[u["need"]]
    units = n.get("units") or 1
    item = (n.get("requires") or {}).get("item")
    same_kind = [
        o for o in p.by_category[n["category"]] if item is None or (o.get("attributes") or {}).get("item") == item
    ]
    compatible = [o for o in same_kind if not p.failed_rules(n, o)]
    # an offer is fundable when it is free or some stream could ever pay its charge in full
    fundable = [
        o
        for o in compatible
        if p.charge(n, o) == 0 or any(p.budget(p.budget_key(n, s)) >= p.charge(n, o) for s in p.payers(n, o))
    ]
    for o in fundable:
        if used_cap[o["id"]] + units > o["capacity"]:
            continue
        charge = p.charge(n, o)
        if charge == 0 or any(
            spent[p.budget_key(n, s)] + charge <= p.budget(p.budget_key(n, s)) for s in p.payers(n, o)
        ):
            bad(f"unmet need {n['id']} could simply be added with offer {o['id']}")
            return
    expected = (
        "no_offer"
        if not same_kind
        else "no_compatible_offer"
        if not compatible
        else "unfundable"
        if not fundable
        else "outcompeted"
    )
    if u["reason"] != expected:
        bad(f"unmet need {n['id']} has reason {u['reason']!r}, expected {expected!r}")


def first_come(data):
    """First come, first served: needs in file order, each taking the first offer (file order) that
    is compatible and still has room, paid by the first stream (listed order) with budget left.
    Returns its objective, the baseline the engine must never fall below."""
    p = Instance(data)
    left = {o["id"]: o["capacity"] for o in data["offers"]}
    spent = defaultdict(int)
    total = 0.0
    for n in data["needs"]:
        units = n.get("units") or 1
        for o in p.by_category[n["category"]]:
            if left[o["id"]] < units or not p.compatible(n, o):
                continue
            charge = p.charge(n, o)
            if charge:
                keys = [p.budget_key(n, s) for s in p.payers(n, o)]
                key = next((k for k in keys if spent[k] + charge <= p.budget(k)), None)
                if key is None:
                    continue
                spent[key] += charge
            left[o["id"]] -= units
            total += p.value(n, o)
            break
    return total
