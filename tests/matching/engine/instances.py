"""Matching problems (format version 1) made from a seed, so the engine's instance tests and the
benchmark run in any clone of the repository.

    generate(profile, families, seed) -> problem dict

Profiles: `borough` (one council's families around Lewisham, offers across south-east London),
`london` (families and offers in a dozen borough clusters), `tight` (scarce housing and donations,
small budgets, needs in no particular order and the council's paid offers listed first, where first
come first served does badly). The same arguments always give the same problem.
"""

from __future__ import annotations

import datetime as dt
import math
import random

TODAY = dt.date(2026, 11, 21)
WEIGHTS = {
    "priority_value": {"1": 100, "2": 300, "3": 1000, "4": 3000, "5": 10000},
    "cost_weight": 0.5,
    "distance_weight": 5.0,
}
CENTRES = [
    (51.4452, -0.0209),
    (51.4892, 0.0648),
    (51.5035, -0.0804),
    (51.4607, -0.1163),
    (51.3762, -0.0982),
    (51.5323, 0.0554),
    (51.5450, -0.0553),
    (51.5975, -0.1097),
    (51.5588, -0.2817),
    (51.5130, -0.3089),
    (51.4567, -0.1910),
    (51.5590, 0.0741),
]
ITEMS = {"bed": 4, "fridge": 3, "cooker": 3, "washing_machine": 3, "sofa": 2, "table": 2, "television": 1}
LANGUAGES = ["arabic", "dari", "pashto", "ukrainian", "tigrinya"]
PROFILES = {
    # centres, offers per family by kind, reach (km) by kind, budget scale
    "borough": {"centres": 1, "housing": 1.0, "donations": 1.5, "paid": 0.5, "places": 0.5, "km": 12, "budget": 1.0},
    "london": {"centres": 12, "housing": 1.0, "donations": 1.7, "paid": 0.4, "places": 0.45, "km": 6, "budget": 1.0},
    "tight": {"centres": 1, "housing": 0.5, "donations": 0.6, "paid": 0.4, "places": 0.25, "km": 10, "budget": 0.4},
}


def _near(rng, centre, sigma_km):
    lat = centre[0] + rng.gauss(0, sigma_km) / 111.2
    lon = centre[1] + rng.gauss(0, sigma_km) / (111.2 * math.cos(math.radians(centre[0])))
    return [round(lat, 5), round(lon, 5)]


def _date(days):
    return (TODAY + dt.timedelta(days=days)).isoformat()


def generate(profile, families, seed):
    """A problem of `families` families of the given profile, from `seed`."""
    prof = PROFILES[profile]
    rng = random.Random(f"{profile}-{families}-{seed}")
    centres = CENTRES[: prof["centres"]]
    streams = [
        {
            "id": "core",
            "scope": "family",
            "categories": ["furniture", "esol", "childcare"],
            "excluded_items": ["television"],
        },
        {"id": "esol-pool", "scope": "pool", "budget": int(9000 * families * prof["budget"]), "categories": ["esol"]},
        {
            "id": "housing-pool",
            "scope": "pool",
            "budget": int(6000 * families * prof["budget"]),
            "categories": ["housing"],
        },
    ]
    fams, needs = [], []
    for f in range(families):
        home = _near(rng, rng.choice(centres), 2.5)
        fid = f"F{f + 1}"
        budget = int(rng.choice([40000, 60000, 90000, 120000]) * prof["budget"])
        fams.append({"id": fid, "location": home, "budgets": {"core": budget}, "pools": ["esol-pool", "housing-pool"]})
        size = rng.randint(1, 7)
        km = prof["km"]

        def need(category, priority, family=fid, **requires):
            needs.append(
                {
                    "id": f"N{len(needs) + 1}",
                    "family": family,
                    "category": category,
                    "priority": priority,
                    "units": requires.pop("units", 1),
                    "needed_by": _date(rng.randint(10, 120)),
                    "requires": requires,
                }
            )

        bedrooms = max(1, min(4, (size + 1) // 2))
        housing = {"bedrooms_min": bedrooms, "rent_max": 120000 + 30000 * bedrooms}
        housing["max_distance_km"] = rng.choice([km * 0.7, km, km * 1.3])
        if rng.random() < 0.15:
            housing["step_free"] = True
        need("housing", 5 if rng.random() < 0.85 else 4, **housing)
        for item, priority in ITEMS.items():
            if rng.random() < 0.4:
                units = rng.randint(1, 3) if item == "bed" else 1
                need("furniture", priority, item=item, units=units, max_distance_km=rng.choice([km * 1.5, km * 2]))
        adults = rng.randint(1, 2)
        for _ in range(adults):
            if rng.random() < 0.7:
                need("esol", 3, max_distance_km=km)
        if size > 2 and rng.random() < 0.4:
            need("childcare", 3, units=rng.randint(1, 2), max_distance_km=km * 0.6)
        if rng.random() < 0.5:
            need("meals", 2, halal=rng.random() < 0.6, units=min(size, 4), max_distance_km=km * 0.5)
        if rng.random() < 0.5:
            need("befriending", 1 if rng.random() < 0.5 else 2, language=rng.choice(LANGUAGES))
    if profile == "tight":
        rng.shuffle(needs)
    offers = _offers(rng, prof, families, centres)
    return {
        "version": 1,
        "date": TODAY.isoformat(),
        "weights": WEIGHTS,
        "streams": streams,
        "families": fams,
        "needs": needs,
        "offers": offers,
    }


def _offers(rng, prof, families, centres):
    standing, donated = [], []

    def offer(into, category, capacity, cost, **attributes):
        attributes["location"] = _near(rng, rng.choice(centres), 4.0)
        entry = {"category": category, "capacity": capacity, "cost": cost, "attributes": attributes}
        if rng.random() < 0.3:
            entry["available_from"] = _date(rng.randint(-30, 90))
        if rng.random() < 0.1:
            entry["available_until"] = _date(rng.randint(-10, 120))
        into.append(entry)

    for _ in range(int(families * prof["housing"])):
        beds = rng.choice([1, 2, 2, 3, 3, 4])
        paid = rng.random() < 0.3
        offer(
            standing if paid else donated,
            "housing",
            1,
            rng.choice([50000, 80000, 120000]) if paid else 0,
            bedrooms=beds,
            rent=100000 + 35000 * beds + rng.randint(-3, 3) * 5000,
            step_free=rng.random() < 0.3,
        )
    items = list(ITEMS)
    for _ in range(int(families * prof["donations"])):
        offer(donated, "furniture", rng.randint(1, 3), 0, item=rng.choice(items))
    for _ in range(int(families * prof["paid"])):
        item = rng.choice(items)
        offer(standing, "furniture", rng.randint(5, 20), rng.choice([9900, 14900, 24900, 29900]), item=item)
    for _ in range(max(1, int(families * prof["places"]))):
        kind = rng.random()
        if kind < 0.4:
            offer(rng.choice([standing, donated]), "esol", rng.randint(3, 12), rng.choice([0, 0, 4000, 8000]))
        elif kind < 0.6:
            offer(standing, "childcare", rng.randint(2, 8), rng.choice([15000, 25000]))
        elif kind < 0.8:
            offer(donated, "meals", rng.randint(4, 20), 0, halal=rng.random() < 0.5)
        else:
            langs = rng.sample(LANGUAGES, rng.randint(1, 2))
            offer(donated, "befriending", rng.randint(1, 3), 0, languages=langs)
    # the council's standing (paid) offers first when housing is tight, donations first otherwise
    listed = standing + donated if prof is PROFILES["tight"] else donated + standing
    for k, entry in enumerate(listed):
        entry["id"] = f"O{k + 1}"
    return listed
