"""Property tests: random small problems give checked results, never below the first-come baseline,
and on tiny problems the optimum found by exhaustive search."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resettle.matching.engine import solve

from .feasibility import Instance, check, first_come

WEIGHTS = {
    "priority_value": {"1": 100, "2": 300, "3": 1000, "4": 3000, "5": 10000},
    "cost_weight": 0.5,
    "distance_weight": 5.0,
}
ITEMS = [None, "bed", "television"]
CATS = ["furniture", "esol", "housing"]
DATES = [None, "2026-10-01", "2026-11-21", "2026-12-15", "2027-02-01"]


def _location(draw):
    if draw(st.integers(0, 9)) == 0:
        return None
    return [round(draw(st.floats(51.40, 51.50)), 4), round(draw(st.floats(-0.10, 0.05)), 4)]


def _opt(draw, key, values, out):
    v = draw(st.sampled_from(values))
    if v is not None:
        out[key] = v


@st.composite
def problems(draw, max_needs=7, max_offers=5, max_families=3):
    streams = [
        {
            "id": "core",
            "scope": "family",
            "categories": draw(st.sampled_from([["furniture"], CATS])),
            "excluded_items": draw(st.sampled_from([[], ["television"]])),
        },
        {
            "id": "pool",
            "scope": "pool",
            "budget": draw(st.sampled_from([0, 8000, 30000])),
            "categories": draw(st.sampled_from([["esol"], CATS])),
            "excluded_items": [],
        },
    ]
    families = []
    for k in range(draw(st.integers(1, max_families))):
        fam = {"id": f"F{k}", "location": _location(draw)}
        if draw(st.booleans()):
            fam["budgets"] = {"core": draw(st.sampled_from([0, 5000, 15000, 40000]))}
        fam["pools"] = ["pool"] if draw(st.booleans()) else []
        families.append(fam)
    needs = []
    for k in range(draw(st.integers(0, max_needs))):
        cat = draw(st.sampled_from(CATS))
        req = {}
        if cat == "furniture":
            _opt(draw, "item", ITEMS, req)
        if cat == "housing":
            _opt(draw, "bedrooms_min", [None, 1, 2, 3], req)
            _opt(draw, "rent_max", [None, 150000, 200000], req)
            _opt(draw, "step_free", [None, True, False], req)
        if cat == "esol":
            _opt(draw, "language", [None, "ar", "ku"], req)
            _opt(draw, "home_visit", [None, True], req)
        _opt(draw, "halal", [None, None, True], req)
        _opt(draw, "max_distance_km", [None, 0.5, 3, 8, 30], req)
        need = {
            "id": f"N{k}",
            "family": draw(st.sampled_from(families))["id"],
            "category": cat,
            "priority": draw(st.integers(1, 5)),
            "units": draw(st.integers(1, 3)),
            "requires": req,
        }
        _opt(draw, "needed_by", DATES, need)
        needs.append(need)
    offers = []
    for k in range(draw(st.integers(0, max_offers))):
        cat = draw(st.sampled_from(CATS))
        at = {"location": _location(draw)}
        if cat == "furniture":
            _opt(draw, "item", ITEMS, at)
        if cat == "housing":
            _opt(draw, "bedrooms", [None, 1, 2, 3, 4], at)
            _opt(draw, "rent", [None, 140000, 180000, 220000], at)
            _opt(draw, "step_free", [None, True], at)
        if cat == "esol":
            _opt(draw, "languages", [None, ["en"], ["en", "ar"], ["ku"]], at)
            _opt(draw, "home_visit", [None, True], at)
        _opt(draw, "halal", [None, True], at)
        offers.append(
            {
                "id": f"O{k}",
                "category": cat,
                "capacity": draw(st.integers(0, 4)),
                "cost": draw(st.sampled_from([0, 0, 0, 1000, 4000, 12000])),
                "available_from": draw(st.sampled_from(DATES)),
                "available_until": draw(st.sampled_from([None, None, "2026-11-01", "2027-06-01"])),
                "attributes": {k2: v for k2, v in at.items() if v is not None},
            }
        )
    return {
        "version": 1,
        "date": "2026-11-21",
        "weights": WEIGHTS,
        "streams": streams,
        "families": families,
        "needs": needs,
        "offers": offers,
    }


def brute_force(data):
    """The optimum by exhaustive search over every need's options (the checker's rules)."""
    p = Instance(data)
    options = []
    for n in data["needs"]:
        opts = []
        for o in data["offers"]:
            if not p.compatible(n, o):
                continue
            v = p.value(n, o)
            if p.charge(n, o) == 0:
                opts.append((o, None, v))
            else:
                opts.extend((o, p.budget_key(n, s), v) for s in p.payers(n, o))
        options.append((n, opts))
    cap = {o["id"]: o["capacity"] for o in data["offers"]}
    spent = {}
    best = [0.0]

    def go(k, acc):
        if k == len(options):
            best[0] = max(best[0], acc)
            return
        n, opts = options[k]
        go(k + 1, acc)
        units = n.get("units") or 1
        for o, key, v in opts:
            charge = p.charge(n, o)
            if cap[o["id"]] < units:
                continue
            if key is not None and spent.get(key, 0) + charge > p.budget(key):
                continue
            cap[o["id"]] -= units
            if key is not None:
                spent[key] = spent.get(key, 0) + charge
            go(k + 1, acc + v)
            cap[o["id"]] += units
            if key is not None:
                spent[key] -= charge

    go(0, 0.0)
    return best[0]


COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


@settings(max_examples=120, **COMMON)
@given(problems(max_needs=12, max_offers=8, max_families=4))
def test_results_check_and_never_fall_below_first_come(problem):
    result = solve(problem, time_limit=5)
    rep = check(problem, result)
    assert rep.ok, rep.violations[:5]
    assert rep.objective >= first_come(problem) - 1e-6


@settings(max_examples=120, **COMMON)
@given(problems(max_needs=6, max_offers=4, max_families=2))
def test_tiny_problems_are_solved_to_the_exhaustive_optimum(problem):
    result = solve(problem, time_limit=5)
    rep = check(problem, result)
    assert rep.ok, rep.violations[:5]
    best = brute_force(problem)
    assert abs(rep.objective - best) <= 1e-6 * max(1.0, abs(best))
    assert result["stats"]["bound"] >= best - 1e-6 * max(1.0, abs(best))
