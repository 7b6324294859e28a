"""Pure rules about offers: which statuses follow which, what the form asks for each type, and what staff must
check before an offer is verified. No database or Flask here, so they are tested directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from resettle.offers.models import DbsStatus, OfferStatus
from resettle.taxonomy import Category

S = OfferStatus

# Which status may follow which. Terminal statuses lead nowhere; an expired offer comes back to life as a
# new submission when its offerer gives new dates, so staff look at it again.
TRANSITIONS: dict[OfferStatus, frozenset[OfferStatus]] = {
    S.SUBMITTED: frozenset({S.VERIFIED, S.REJECTED, S.WITHDRAWN, S.EXPIRED}),
    S.VERIFIED: frozenset({S.MATCHED, S.REJECTED, S.WITHDRAWN, S.EXPIRED}),
    S.MATCHED: frozenset({S.FULFILLED, S.VERIFIED, S.WITHDRAWN}),
    S.FULFILLED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.REJECTED: frozenset(),
    S.EXPIRED: frozenset({S.SUBMITTED}),
}
# The offerer's private link may change dates or withdraw only while the offer is still live.
OFFERER_MAY_CHANGE = frozenset({S.SUBMITTED, S.VERIFIED, S.MATCHED, S.EXPIRED})
OFFERER_MAY_WITHDRAW = frozenset({S.SUBMITTED, S.VERIFIED, S.MATCHED})
# Past their end date these become expired; a matched offer is already in use and is left to staff.
EXPIRES = frozenset({S.SUBMITTED, S.VERIFIED})
# Statuses staff set by hand from the offer page (verify and reject have their own forms).
MANUAL_STATUSES = (S.MATCHED, S.FULFILLED, S.VERIFIED, S.WITHDRAWN)


def can_change(current: OfferStatus, new: OfferStatus) -> bool:
    return new in TRANSITIONS[current]


# The public form's offer types, in the order residents see them. Furniture and household goods share one
# form: each item line carries its own category through its item kind.
OFFER_TYPES: tuple[Category, ...] = (
    Category.HOUSING,
    Category.ESOL,
    Category.FURNITURE,
    Category.MEAL,
    Category.BEFRIENDING,
    Category.CHILDCARE,
    Category.SCHOOL_SUPPORT,
    Category.EMPLOYMENT,
    Category.ACTIVITIES,
    Category.HEALTH_ACCESS,
    Category.DIGITAL,
    Category.LEGAL_ADVICE,
    Category.OTHER,
)
GOODS_CATEGORIES = frozenset({Category.FURNITURE, Category.HOUSEHOLD})

# Offers where someone spends time with family members, so staff check a DBS certificate before verifying.
WORKS_WITH_FAMILIES = frozenset(
    {
        Category.ESOL,
        Category.BEFRIENDING,
        Category.CHILDCARE,
        Category.SCHOOL_SUPPORT,
        Category.EMPLOYMENT,
        Category.ACTIVITIES,
        Category.HEALTH_ACCESS,
        Category.DIGITAL,
    }
)
# Regulated activity with children: the enhanced check must include the children's barred list.
WORKS_WITH_CHILDREN = frozenset({Category.CHILDCARE, Category.SCHOOL_SUPPORT})
# Where a home visit is a meaningful option (ESOL at home helped people who could not reach classes).
HOME_VISIT_CATEGORIES = frozenset(
    {
        Category.ESOL,
        Category.BEFRIENDING,
        Category.CHILDCARE,
        Category.SCHOOL_SUPPORT,
        Category.DIGITAL,
    }
)

# Languages are stored by name, as families' records hold them, so `language in languages` matches.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("Arabic", "Arabic"),
    ("Dari", "Dari"),
    ("Pashto", "Pashto"),
    ("Farsi", "Farsi (Persian)"),
    ("Kurdish", "Kurdish"),
    ("Ukrainian", "Ukrainian"),
    ("Russian", "Russian"),
    ("Tigrinya", "Tigrinya"),
    ("Somali", "Somali"),
    ("French", "French"),
    ("Turkish", "Turkish"),
    ("Urdu", "Urdu"),
)
LANGUAGE_LABELS = dict(LANGUAGES)

CERTIFICATES: tuple[tuple[str, str], ...] = (
    ("gas_safety", "Gas safety certificate (CP12) from the last 12 months"),
    ("electrical", "Electrical installation condition report (EICR) from the last 5 years"),
    ("epc", "Energy performance certificate (EPC)"),
)
CERTIFICATE_LABELS = dict(CERTIFICATES)

GAS_SAFETY_VALID_DAYS = 365
ELECTRICAL_REPORT_VALID_YEARS = 5
WORST_ALLOWED_EPC = "E"
DBS_EXPIRY_WARNING_DAYS = 30
EXTENSION_REMINDER_DAYS = 7


@dataclass
class HousingChecks:
    has_gas_supply: bool
    gas_safety_checked_on: date | None
    electrical_report_on: date | None
    epc_rating: str | None
    smoke_alarms_every_storey: bool
    co_alarm_where_needed: bool
    inspected_on: date | None


@dataclass
class DbsCheck:
    status: DbsStatus | None
    expires_on: date | None


def _dated_check(day: date | None, today: date, what: str, oldest: date | None = None, too_old: str = "") -> str | None:
    """The problem with the date of a check ("the gas safety check"), if any."""
    if day is None:
        return f"Enter the date of {what}"
    if day > today:
        return f"Date of {what} must be today or in the past"
    if oldest is not None and day < oldest:
        return too_old
    return None


def housing_check_problems(checks: HousingChecks, today: date) -> dict[str, str]:
    """What stops a home being verified (domain.md §2.3), keyed by the verify form's field names."""
    found: dict[str, str | None] = {
        "gas_safety_checked_on": _dated_check(
            checks.gas_safety_checked_on,
            today,
            "the gas safety check",
            today - timedelta(days=GAS_SAFETY_VALID_DAYS),
            "Gas safety check must be from the last 12 months",
        )
        if checks.has_gas_supply
        else None,
        "electrical_report_on": _dated_check(
            checks.electrical_report_on,
            today,
            "the electrical report (EICR)",
            _years_before(today, ELECTRICAL_REPORT_VALID_YEARS),
            "Electrical report must be from the last 5 years",
        ),
        "inspected_on": _dated_check(checks.inspected_on, today, "the inspection visit"),
    }
    if not checks.epc_rating:
        found["epc_rating"] = "Select the EPC rating"
    elif checks.epc_rating > WORST_ALLOWED_EPC:
        found["epc_rating"] = "EPC rating must be E or better"
    if not checks.smoke_alarms_every_storey:
        found["smoke_alarms_every_storey"] = "There must be a working smoke alarm on every storey"
    if not checks.co_alarm_where_needed:
        found["co_alarm_where_needed"] = (
            "There must be a carbon monoxide alarm in every room with a fixed combustion appliance"
        )
    return {name: problem for name, problem in found.items() if problem}


def dbs_problems(category: Category, check: DbsCheck, today: date) -> dict[str, str]:
    """What stops someone who will work with families being verified."""
    if category not in WORKS_WITH_FAMILIES:
        return {}
    problems: dict[str, str] = {}
    needed = (
        {DbsStatus.ENHANCED_BARRED}
        if category in WORKS_WITH_CHILDREN
        else {DbsStatus.ENHANCED, DbsStatus.ENHANCED_BARRED}
    )
    if check.status is None:
        problems["dbs_status"] = "Select the DBS check seen"
    elif check.status not in needed:
        problems["dbs_status"] = (
            "DBS check must be enhanced with the barred list for work with children"
            if category in WORKS_WITH_CHILDREN
            else "DBS check must be an enhanced check"
        )
    if check.expires_on is None:
        problems["dbs_expires_on"] = "Enter the date the DBS check is due for renewal"
    elif check.expires_on <= today:
        problems["dbs_expires_on"] = "DBS renewal date must be in the future"
    return problems


def dbs_expiring_soon(expires_on: date | None, today: date) -> bool:
    return expires_on is not None and expires_on <= today + timedelta(days=DBS_EXPIRY_WARNING_DAYS)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
