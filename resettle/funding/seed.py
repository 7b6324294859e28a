"""The funding configuration from the published Home Office and MHCLG figures (domain.md §1), loaded with the
demo data. Figures marked unconfirmed there are loaded with `is_confirmed=False`, so the rules page shows
them as "to be confirmed" until the council's finance lead checks them against the current instruction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from resettle.audit.services import record
from resettle.extensions import db
from resettle.funding.allocation import RuleBasis
from resettle.funding.config_services import (
    RuleFields,
    SchemeFields,
    StreamFields,
    create_expense_category,
    create_rule,
    create_scheme,
    create_stream,
)
from resettle.funding.models import CategoryEligibility, Eligibility, ExpenseCategory, FundingScheme, StreamScope
from resettle.funding.queries import get_scheme_by_code
from resettle.taxonomy import ITEM_KINDS, Category

C = Category
GUIDANCE_2015 = "Home Office draft guidance to councils on 'luxury' goods, October 2015 (VPRS)"
VPRS_FI = "VPRS funding instruction 2015 onwards; government VPRS fact sheet"
UKRS_FI = "UKRS/ACRS/ARAP funding (announced Sept 2021); core tariff £20,520 over 3 years"

SCHEMES = [
    (
        "VPRS",
        "Syrian Vulnerable Persons Resettlement Scheme",
        "Home Office",
        "Health funding (£2,600 per person) is paid to the NHS commissioner, not the council, "
        "so it has no stream here.",
    ),
    (
        "VCRS",
        "Vulnerable Children's Resettlement Scheme",
        "Home Office",
        "Believed to run under the same funding instruction as VPRS; confirm with the finance lead.",
    ),
    (
        "UKRS",
        "UK Resettlement Scheme",
        "Home Office",
        "Per-year split of the £20,520 core tariff not confirmed; health funding goes to the ICB.",
    ),
    (
        "ARP",
        "Afghan Resettlement Programme",
        "Home Office",
        "2025/26 amounts not confirmed: the figures below follow the earlier Afghan schemes until confirmed.",
    ),
    (
        "HFU",
        "Homes for Ukraine",
        "MHCLG",
        "Section 31 grant, not ring-fenced, paid quarterly in arrears on actual arrivals.",
    ),
    (
        "CS",
        "Community Sponsorship",
        "Home Office",
        "The council receives no core tariff; it claims ESOL per adult on the group's behalf.",
    ),
]

CORE_CATEGORIES = [
    C.HOUSING,
    C.FURNITURE,
    C.HOUSEHOLD,
    C.DIGITAL,
    C.HEALTH_ACCESS,
    C.EMPLOYMENT,
    C.ACTIVITIES,
    C.BEFRIENDING,
    C.MEAL,
    C.LEGAL_ADVICE,
    C.OTHER,
]
EDUCATION_CATEGORIES = [C.SCHOOL_SUPPORT, C.CHILDCARE, C.DIGITAL]
EXCEPTIONAL_CATEGORIES = [C.HOUSING, C.HEALTH_ACCESS, C.CHILDCARE, C.OTHER]


@dataclass(frozen=True)
class Amount:
    basis: RuleBasis
    pounds: int
    start: date
    end: date | None = None
    ages: tuple[int, int] | None = None
    year: int | None = None
    confirmed: bool = True
    source: str = ""


def _education(start: date, end: date | None, source: str) -> list[Amount]:
    return [
        Amount(RuleBasis.PER_PERSON, 4500, start, end, ages=(5, 18), source=source),
        Amount(RuleBasis.PER_PERSON, 2250, start, end, ages=(3, 4), source=source),
    ]


VPRS_START = date(2015, 9, 7)
UKRS_START = date(2021, 2, 25)
AFGHAN_START = date(2025, 3, 1)


def _vprs_like(code: str, start: date) -> list[tuple[str, str, StreamScope, list[Category], bool, list[Amount]]]:
    prefix = code.lower()
    return [
        (
            f"{prefix}-core",
            "Core tariff",
            StreamScope.FAMILY,
            CORE_CATEGORIES,
            False,
            [
                Amount(RuleBasis.PER_PERSON, 8520, start, None, source=VPRS_FI),
                Amount(RuleBasis.PER_PERSON, 5000, start, None, year=2, source=VPRS_FI),
                Amount(RuleBasis.PER_PERSON, 3700, start, None, year=3, confirmed=False, source=VPRS_FI),
                Amount(RuleBasis.PER_PERSON, 2300, start, None, year=4, confirmed=False, source=VPRS_FI),
                Amount(RuleBasis.PER_PERSON, 1000, start, None, year=5, source=VPRS_FI),
            ],
        ),
        (
            f"{prefix}-education",
            "Education",
            StreamScope.FAMILY,
            EDUCATION_CATEGORIES,
            False,
            _education(start, None, VPRS_FI),
        ),
        (
            f"{prefix}-esol-pool",
            "ESOL (pooled)",
            StreamScope.POOL,
            [C.ESOL],
            False,
            [Amount(RuleBasis.PER_ESOL_ADULT, 850, start, None, source=VPRS_FI)],
        ),
        (
            f"{prefix}-exceptional",
            "Exceptional costs",
            StreamScope.POOL,
            EXCEPTIONAL_CATEGORIES,
            True,
            [
                Amount(
                    RuleBasis.COUNCIL_FIXED,
                    25000,
                    start,
                    None,
                    confirmed=False,
                    source="Total agreed in writing by the Home Office for this council; set by the finance lead",
                )
            ],
        ),
    ]


def _ukrs_like(
    code: str, start: date, confirmed: bool
) -> list[tuple[str, str, StreamScope, list[Category], bool, list[Amount]]]:
    prefix = code.lower()
    return [
        (
            f"{prefix}-core",
            "Core integration tariff",
            StreamScope.FAMILY,
            CORE_CATEGORIES,
            False,
            [
                Amount(RuleBasis.PER_PERSON, 10520, start, year=1, confirmed=False, source=UKRS_FI),
                Amount(RuleBasis.PER_PERSON, 6000, start, year=2, confirmed=False, source=UKRS_FI),
                Amount(RuleBasis.PER_PERSON, 4000, start, year=3, confirmed=False, source=UKRS_FI),
            ],
        ),
        (
            f"{prefix}-education",
            "Education",
            StreamScope.FAMILY,
            EDUCATION_CATEGORIES,
            False,
            [
                Amount(a.basis, a.pounds, a.start, a.end, a.ages, confirmed=confirmed, source=UKRS_FI)
                for a in _education(start, None, UKRS_FI)
            ],
        ),
        (
            f"{prefix}-esol-pool",
            "ESOL (pooled)",
            StreamScope.POOL,
            [C.ESOL],
            False,
            [Amount(RuleBasis.PER_ESOL_ADULT, 850, start, confirmed=confirmed, source=UKRS_FI)],
        ),
        (
            f"{prefix}-exceptional",
            "Exceptional costs",
            StreamScope.POOL,
            EXCEPTIONAL_CATEGORIES,
            True,
            [
                Amount(
                    RuleBasis.COUNCIL_FIXED,
                    25000,
                    start,
                    None,
                    confirmed=False,
                    source="Total agreed in writing by the Home Office for this council; set by the finance lead",
                )
            ],
        ),
    ]


HFU_SOURCE = "HfU tariff grant determinations 31/6205, 31/6538"
STREAMS = {
    "VPRS": _vprs_like("VPRS", VPRS_START),
    "VCRS": _vprs_like("VCRS", date(2016, 4, 21)),
    "UKRS": _ukrs_like("UKRS", UKRS_START, confirmed=True),
    "ARP": _ukrs_like("ARP", AFGHAN_START, confirmed=False),
    "HFU": [
        (
            "hfu-tariff",
            "Council tariff",
            StreamScope.FAMILY,
            CORE_CATEGORIES + [C.SCHOOL_SUPPORT],
            False,
            [
                Amount(RuleBasis.PER_PERSON, 10500, date(2022, 3, 14), date(2022, 12, 31), source=HFU_SOURCE),
                Amount(RuleBasis.PER_PERSON, 5900, date(2023, 1, 1), source=HFU_SOURCE),
            ],
        )
    ],
    "CS": [
        (
            "cs-esol-pool",
            "ESOL claimed for sponsor groups (pooled)",
            StreamScope.POOL,
            [C.ESOL],
            False,
            [Amount(RuleBasis.PER_ESOL_ADULT, 850, date(2016, 7, 1), source="Community Sponsorship guidance")],
        )
    ],
}

STREAM_OPEN_FROM = {
    "VPRS": VPRS_START,
    "VCRS": date(2016, 4, 21),
    "UKRS": UKRS_START,
    "ARP": AFGHAN_START,
    "HFU": date(2022, 3, 14),
    "CS": date(2016, 7, 1),
}

# Expense categories beyond the shared item kinds, and the recommended eligibility of each (domain.md §1.4).
EXTRA_CATEGORIES = [
    ("entertainment_electronics", "Other entertainment electronics", C.FURNITURE),
    ("esol_course", "ESOL course or classes", C.ESOL),
    ("school_uniform", "School uniform", C.SCHOOL_SUPPORT),
    ("childcare_place", "Childcare or nursery place", C.CHILDCARE),
    ("rent_deposit", "Rent in advance or deposit", C.HOUSING),
    ("void_costs", "Void (empty property) costs", C.HOUSING),
    ("property_adaptation", "Adaptations to the home", C.HOUSING),
    ("interpreting", "Interpreting", C.HEALTH_ACCESS),
    ("social_care", "Social care", C.HEALTH_ACCESS),
    ("travel", "Travel", C.OTHER),
]
BLOCKED = {"television", "dvd_player", "games_console", "entertainment_electronics"}
NEEDS_APPROVAL = {"computer", "tablet", "radio"}
NOTES = {
    "television": GUIDANCE_2015,
    "dvd_player": GUIDANCE_2015,
    "games_console": GUIDANCE_2015,
    "entertainment_electronics": GUIDANCE_2015,
    "computer": "Not named by the Home Office; reported as not allowed. Reviewer decides",
    "tablet": "Devices for education are sometimes funded; reviewer decides",
    "radio": "Reported among items that appear not to be allowed; reviewer decides",
    "fridge": "Named as allowed (food storage)",
    "cooker": "Named as allowed (cooking)",
    "washing_machine": "Washing facilities may be supplied",
    "toaster": "Named as allowed",
}


def default_eligibility(code: str) -> Eligibility:
    if code in BLOCKED:
        return Eligibility.BLOCKED
    if code in NEEDS_APPROVAL:
        return Eligibility.NEEDS_APPROVAL
    return Eligibility.ALLOWED


def _load_scheme(code: str, name: str, funder: str, notes: str) -> FundingScheme:
    scheme = create_scheme(code, SchemeFields(name=name, funder=funder, notes=notes))
    for stream_code, stream_name, scope, categories, prior, amounts in STREAMS.get(code, []):
        stream = create_stream(
            scheme,
            stream_code,
            StreamFields(
                name=stream_name,
                scope=scope,
                categories=categories,
                requires_prior_agreement=prior,
                effective_from=STREAM_OPEN_FROM[code],
                source_ref=amounts[0].source if amounts else "",
            ),
        )
        for amount in amounts:
            create_rule(
                stream,
                RuleFields(
                    basis=amount.basis,
                    amount_pence=amount.pounds * 100,
                    effective_from=amount.start,
                    effective_to=amount.end,
                    age_min=amount.ages[0] if amount.ages else None,
                    age_max=amount.ages[1] if amount.ages else None,
                    support_year=amount.year,
                    source_ref=amount.source,
                    is_confirmed=amount.confirmed,
                ),
            )
    return scheme


def load_funding_configuration() -> list[FundingScheme]:
    """Idempotent: a scheme already present is left as the administrators have it."""
    categories = {c.code: c for c in db.session.execute(db.select(ExpenseCategory)).scalars()}
    for item in ITEM_KINDS.values():
        if item.code not in categories:
            categories[item.code] = create_expense_category(item.code, item.label, item.category)
    for code, label, category in EXTRA_CATEGORIES:
        if code not in categories:
            categories[code] = create_expense_category(code, label, category)
    schemes = []
    for code, name, funder, notes in SCHEMES:
        existing = get_scheme_by_code(code)
        if existing is not None:
            schemes.append(existing)
            continue
        scheme = _load_scheme(code, name, funder, notes)
        db.session.add_all(
            [
                CategoryEligibility(
                    scheme=scheme,
                    expense_category=category,
                    eligibility=default_eligibility(category.code),
                    note=NOTES.get(category.code, ""),
                )
                for category in categories.values()
            ]
        )
        db.session.flush()
        record(
            "funding_eligibility_set",
            "funding_scheme",
            scheme.id,
            f"{len(categories)} expense categories set from the recommended defaults",
        )
        schemes.append(scheme)
    return schemes
