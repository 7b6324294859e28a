"""Demo families, modelled on a Lewisham-like 2017 intake: ten families through the Syrian VPRS and the
VCRS, among them a three-generation household in one large donated home and elderly people with
mobility needs. Dates are set relative to the day the demo is loaded, so that tasks, needs and their
deadlines are live: some families arrived months ago, some in the last weeks, two are about to arrive
and one has only just been referred.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.health import add_health_note
from resettle.families.lha import ensure_lha_rates
from resettle.families.members import MemberDetails, add_member
from resettle.families.models import (
    CaseNote,
    ConsentPurpose,
    EnglishLevel,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    MemberActivity,
    Relationship,
    Scheme,
    Sex,
    TaskStatus,
)
from resettle.families.needs import NeedDetails, raise_need, set_need_status
from resettle.families.services import FamilyDetails, add_case_note, change_status, confirm_arrival, create_family
from resettle.families.services import record_consent as record_family_consent
from resettle.taxonomy import Category

F, M = Sex.FEMALE, Sex.MALE
A, P, C, G = Relationship.APPLICANT, Relationship.PARTNER, Relationship.CHILD, Relationship.PARENT

# name, scheme, caseworker, postcode, arrival offset in days (None: not yet known), members, needs, notes.
# Members: (full name, age, sex, relationship, extras). Needs: NeedDetails keyword arguments plus "status".
FAMILIES: list[dict[str, Any]] = [
    {
        "name": "Al-Hassan family",
        "scheme": Scheme.VPRS,
        "caseworker": "amira",
        "postcode": "SE13 6AA",
        "arrival": -300,
        "members": [
            ("Ahmad Al-Hassan", 41, M, A, {"english_level": EnglishLevel.ENTRY_2, "activity": MemberActivity.EMPLOYED}),
            ("Rania Al-Hassan", 36, F, P, {"english_level": EnglishLevel.ENTRY_1, "eats_halal": True}),
            ("Yasmin Al-Hassan", 13, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Karim Al-Hassan", 11, M, C, {"activity": MemberActivity.SCHOOL}),
            ("Lana Al-Hassan", 6, F, C, {"activity": MemberActivity.SCHOOL}),
        ],
        "needs": [
            {"category": Category.HOUSING, "priority": 5, "follows_bedroom_standard": True, "status": "met"},
            {"category": Category.ESOL, "priority": 4, "status": "met"},
            {
                "category": Category.ACTIVITIES,
                "priority": 2,
                "description": "Yasmin would like violin lessons",
                "max_distance_km": 5.0,
                "days": 60,
            },
        ],
        "notes": ["Settled well. Ahmad has started work at a bakery in Catford three days a week."],
    },
    {
        "name": "Al-Khatib family",
        "scheme": Scheme.VPRS,
        "caseworker": "amira",
        "postcode": "SE6 2AB",
        "arrival": -240,
        "members": [
            ("Khaled Al-Khatib", 45, M, A, {"english_level": EnglishLevel.ENTRY_1}),
            ("Huda Al-Khatib", 40, F, P, {"english_level": EnglishLevel.PRE_ENTRY}),
            ("Sami Al-Khatib", 17, M, C, {"activity": MemberActivity.COLLEGE}),
            ("Adam Al-Khatib", 14, M, C, {"activity": MemberActivity.SCHOOL}),
            ("Reem Al-Khatib", 9, F, C, {"activity": MemberActivity.SCHOOL}),
            (
                "Mahmoud Al-Khatib",
                74,
                M,
                G,
                {
                    "needs_step_free_access": True,
                    "access_needs": "Uses a wheelchair",
                    "activity": MemberActivity.RETIRED,
                    "eats_halal": True,
                },
            ),
            (
                "Fatima Al-Khatib",
                70,
                F,
                G,
                {
                    "needs_step_free_access": True,
                    "access_needs": "Walks with a frame",
                    "activity": MemberActivity.RETIRED,
                    "eats_halal": True,
                },
            ),
        ],
        "needs": [
            {
                "category": Category.ESOL,
                "priority": 4,
                "home_visit": True,
                "language": "Arabic",
                "units": 2,
                "description": "Home ESOL for the grandparents, who cannot reach classes",
                "days": 21,
            },
            {
                "category": Category.HEALTH_ACCESS,
                "priority": 3,
                "step_free": True,
                "language": "Arabic",
                "description": "Someone to go with Mahmoud to hospital appointments",
                "days": 30,
            },
        ],
        "notes": [
            "The home donated by the diocese holds all three generations; the ground-floor room suits "
            "Mahmoud and Fatima."
        ],
        "health": (
            "Mahmoud Al-Khatib",
            "Type 2 diabetes and limited mobility after a stroke; outpatient follow-up at Lewisham Hospital.",
        ),
    },
    {
        "name": "Darwish family",
        "scheme": Scheme.VPRS,
        "caseworker": "tom",
        "postcode": "SE4 1AA",
        "arrival": -180,
        "members": [
            (
                "Omar Darwish",
                33,
                M,
                A,
                {"english_level": EnglishLevel.ENTRY_3, "activity": MemberActivity.SEEKING_WORK},
            ),
            ("Lina Darwish", 29, F, P, {"english_level": EnglishLevel.ENTRY_1}),
            ("Zaid Darwish", 4, M, C, {"activity": MemberActivity.NURSERY}),
            ("Hamza Darwish", 2, M, C, {"activity": MemberActivity.PRE_SCHOOL}),
        ],
        "needs": [
            {"category": Category.CHILDCARE, "priority": 3, "description": "So Lina can attend ESOL", "days": 28},
            {"category": Category.EMPLOYMENT, "priority": 3, "description": "Omar was an electrician", "days": 45},
        ],
        "notes": ["Omar asked about converting his electrician's qualifications."],
    },
    {
        "name": "Mansour family",
        "scheme": Scheme.VPRS,
        "caseworker": "tom",
        "postcode": "SE14 5AA",
        "arrival": -120,
        "members": [
            ("Samir Mansour", 52, M, A, {"english_level": EnglishLevel.PRE_ENTRY}),
            ("Nour Mansour", 47, F, P, {"english_level": EnglishLevel.PRE_ENTRY, "eats_halal": True}),
            ("Bilal Mansour", 19, M, C, {"activity": MemberActivity.COLLEGE, "english_level": EnglishLevel.LEVEL_1}),
            ("Tariq Mansour", 16, M, C, {"activity": MemberActivity.SCHOOL}),
            ("Hala Mansour", 15, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Dana Mansour", 10, F, C, {"activity": MemberActivity.SCHOOL}),
        ],
        "needs": [
            {
                "category": Category.HOUSING,
                "priority": 4,
                "follows_bedroom_standard": True,
                "max_distance_km": 8.0,
                "description": "The current flat has three bedrooms; the family needs more",
                "days": 90,
            },
            {"category": Category.SCHOOL_SUPPORT, "priority": 3, "member": "Dana Mansour", "days": 30},
            {"category": Category.DIGITAL, "priority": 2, "description": "A laptop for homework", "days": 40},
        ],
        "notes": ["Tariq turned 16: the bedroom standard now counts him as an adult."],
    },
    {
        "name": "Youssef family",
        "scheme": Scheme.VPRS,
        "caseworker": "amira",
        "postcode": "SE23 3AA",
        "arrival": -40,
        "members": [
            ("Mariam Youssef", 38, F, A, {"english_level": EnglishLevel.NOT_ASSESSED, "eats_halal": True}),
            ("Salma Youssef", 12, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Jana Youssef", 8, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Ali Youssef", 5, M, C, {"activity": MemberActivity.SCHOOL}),
        ],
        "needs": [
            {"category": Category.FURNITURE, "item": "wardrobe", "units": 2, "priority": 4, "days": 10},
            {"category": Category.HOUSEHOLD, "item": "kitchen_pack", "priority": 5, "days": 5},
            {"category": Category.MEAL, "priority": 2, "halal": True, "home_visit": True, "days": 14},
            {"category": Category.ESOL, "priority": 4, "member": "Mariam Youssef", "max_distance_km": 3.0, "days": 20},
        ],
        "open_overdue": ["evisa_check", "council_tax_reduction"],
    },
    {
        "name": "Saleh family",
        "scheme": Scheme.VPRS,
        "caseworker": "grace",
        "postcode": "SE12 8AA",
        "arrival": -25,
        "members": [
            (
                "Abdulrahman Saleh",
                68,
                M,
                A,
                {
                    "needs_step_free_access": True,
                    "access_needs": "Cannot manage stairs",
                    "activity": MemberActivity.RETIRED,
                    "eats_halal": True,
                },
            ),
            ("Aisha Saleh", 66, F, P, {"activity": MemberActivity.RETIRED, "eats_halal": True}),
        ],
        "needs": [
            {"category": Category.BEFRIENDING, "priority": 4, "language": "Arabic", "home_visit": True, "days": 14},
            {"category": Category.HEALTH_ACCESS, "priority": 4, "step_free": True, "days": 10},
            {"category": Category.ESOL, "priority": 3, "home_visit": True, "units": 2, "days": 28},
        ],
        "open_overdue": ["gp_registration"],
        "health": ("Abdulrahman Saleh", "Heart failure; needs a GP registration and a cardiology referral urgently."),
    },
    {
        "name": "Ibrahim family",
        "scheme": Scheme.VCRS,
        "caseworker": "grace",
        "postcode": "SE8 4AA",
        "arrival": -10,
        "members": [
            ("Yasir Ibrahim", 39, M, A, {"english_level": EnglishLevel.ENTRY_1}),
            ("Zainab Ibrahim", 34, F, P, {"english_level": EnglishLevel.PRE_ENTRY}),
            ("Maryam Ibrahim", 16, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Mustafa Ibrahim", 14, M, C, {"activity": MemberActivity.SCHOOL}),
            ("Noor Ibrahim", 8, F, C, {"activity": MemberActivity.SCHOOL}),
            ("Hassan Ibrahim", 1, M, C, {"activity": MemberActivity.PRE_SCHOOL}),
        ],
        "languages": ["Arabic", "Kurdish"],
        "needs": [
            {"category": Category.FURNITURE, "item": "cot", "priority": 5, "days": 3},
            {"category": Category.SCHOOL_SUPPORT, "priority": 3, "member": "Mustafa Ibrahim", "days": 21},
            {"category": Category.ESOL, "priority": 4, "units": 2, "days": 18},
        ],
    },
    {
        "name": "Othman family",
        "scheme": Scheme.VPRS,
        "caseworker": "amira",
        "postcode": "SE15 2AA",
        "arrival": 14,
        "members": [
            ("Hamid Othman", 29, M, A, {"english_level": EnglishLevel.NOT_ASSESSED}),
            ("Rojin Othman", 27, F, P, {"english_level": EnglishLevel.NOT_ASSESSED}),
            ("Ava Othman", 3, F, C, {"activity": MemberActivity.PRE_SCHOOL}),
            ("Dilan Othman", 3, F, C, {"activity": MemberActivity.PRE_SCHOOL}),
        ],
        "languages": ["Kurdish", "Arabic"],
        "needs": [
            {
                "category": Category.HOUSING,
                "priority": 5,
                "follows_bedroom_standard": True,
                "max_distance_km": 10.0,
                "days": 7,
            },
            {"category": Category.FURNITURE, "item": "bed", "units": 2, "priority": 5, "days": 10},
            {"category": Category.HOUSEHOLD, "item": "bedding", "units": 2, "priority": 4, "days": 10},
            {"category": Category.MEAL, "priority": 3, "halal": True, "days": 15},
        ],
    },
    {
        "name": "Al-Ahmad family",
        "scheme": Scheme.VPRS,
        "caseworker": "tom",
        "postcode": "SE26 4AA",
        "arrival": 35,
        "members": [
            (
                "Bassam Al-Ahmad",
                44,
                M,
                A,
                {"needs_step_free_access": True, "access_needs": "Lower-leg amputation; uses crutches"},
            ),
            ("Salwa Al-Ahmad", 42, F, P, {}),
            ("Fadi Al-Ahmad", 18, M, C, {"activity": MemberActivity.COLLEGE}),
            ("Rami Al-Ahmad", 12, M, C, {"activity": MemberActivity.SCHOOL}),
            ("Joud Al-Ahmad", 7, F, C, {"activity": MemberActivity.SCHOOL}),
        ],
        "needs": [
            {
                "category": Category.HOUSING,
                "priority": 5,
                "follows_bedroom_standard": True,
                "step_free": True,
                "max_distance_km": 12.0,
                "days": 25,
            },
            {"category": Category.FURNITURE, "item": "bed", "units": 5, "priority": 4, "days": 30},
            {"category": Category.FURNITURE, "item": "washing_machine", "priority": 3, "days": 30},
            {"category": Category.FURNITURE, "item": "fridge", "priority": 4, "days": 30},
        ],
    },
    {
        "name": "Khalil family",
        "scheme": Scheme.VCRS,
        "caseworker": "grace",
        "postcode": "BR1 3AA",
        "arrival": None,
        "members": [
            ("Dima Khalil", 31, F, A, {"english_level": EnglishLevel.ENTRY_1}),
            (
                "Elias Khalil",
                9,
                M,
                C,
                {"needs_step_free_access": True, "access_needs": "Cerebral palsy; uses a wheelchair"},
            ),
            ("Maya Khalil", 6, F, C, {}),
        ],
        "needs": [
            {
                "category": Category.HOUSING,
                "priority": 4,
                "follows_bedroom_standard": True,
                "step_free": True,
                "days": 70,
            }
        ],
    },
]

CASEWORKERS = {
    "amira": "amira.caseworker@council.example",
    "tom": "tom.caseworker@council.example",
    "grace": "grace.caseworker@council.example",
}


def _birthday(age: int, today: date, index: int) -> date:
    """A date of birth giving `age` today, spread through the year so ages differ realistically."""
    day = today - timedelta(days=age * 365 + age // 4 + 30 + index * 47 % 300)
    return day


def _at(day: date) -> datetime:
    return datetime.combine(day, time(11, 0), tzinfo=UTC)


def _load_family(spec: dict[str, Any], users: dict[str, Any], today: date) -> Family:
    caseworker = users[CASEWORKERS[spec["caseworker"]]]
    arrival = today + timedelta(days=spec["arrival"]) if spec["arrival"] is not None else None
    referral = (arrival or today) - timedelta(days=70 if arrival else 20)
    applicant_name, age, sex, _, extras = spec["members"][0]
    applicant = MemberDetails(
        full_name=applicant_name,
        date_of_birth=_birthday(age, today, 0),
        sex=sex,
        relationship_to_applicant=A,
        languages=spec.get("languages", ["Arabic"]),
        **extras,
    )
    details = FamilyDetails(
        name=spec["name"],
        scheme=spec["scheme"],
        referral_date=referral,
        arrival_date=arrival,
        caseworker=caseworker,
        address_line_1=f"{10 + len(spec['name'])} Example Road",
        town="London",
        postcode=spec["postcode"],
        preferred_languages=spec.get("languages", ["Arabic"]),
    )
    family = create_family(details, caseworker, today, applicant=applicant)
    for index, (name, member_age, member_sex, relationship, member_extras) in enumerate(spec["members"][1:], 1):
        add_member(
            family,
            MemberDetails(
                full_name=name,
                date_of_birth=_birthday(member_age, today, index),
                sex=member_sex,
                relationship_to_applicant=relationship,
                languages=spec.get("languages", ["Arabic"]),
                **member_extras,
            ),
            caseworker,
            today,
        )
    members = {member.full_name: member for member in family.members}
    for need_spec in spec["needs"]:
        need_spec = dict(need_spec)
        status, days = need_spec.pop("status", "open"), need_spec.pop("days", 30)
        member = members.get(need_spec.pop("member", ""))
        need = raise_need(
            family, NeedDetails(member=member, needed_by=today + timedelta(days=days), **need_spec), caseworker, today
        )
        need.raised_at = _at(referral + timedelta(days=7))
        if status != "open":
            set_need_status(need, status)
    if arrival is not None:
        confirm_arrival(family, arrival, caseworker)
        _settle_tasks(family, today, spec.get("open_overdue", []), caseworker)
        if arrival <= today:
            change_status(family, FamilyStatus.ARRIVED, "Family arrived", caseworker)
    for text in spec.get("notes", []):
        add_case_note(family, text, caseworker)
    if "health" in spec:
        add_health_note(family, members[spec["health"][0]], spec["health"][1], caseworker)
    _backdate(family, referral, arrival, today)
    if arrival is not None and arrival <= today:
        record_family_consent(
            family, ConsentPurpose.SHARE_WITH_VOLUNTEERS, True, "First names and needs only", caseworker
        )
        record_family_consent(family, ConsentPurpose.PHOTOGRAPHS, False, "", caseworker)
    return family


def _backdate(family: Family, referral: date, arrival: date | None, today: date) -> None:
    """Put the case's history on the days it would have happened, not the moment the demo was loaded."""
    moments = {
        FamilyStatus.REFERRED: referral,
        FamilyStatus.ARRIVING: (arrival or today) - timedelta(days=30),
        FamilyStatus.ARRIVED: arrival or today,
    }
    changes = db.session.execute(select(FamilyStatusChange).where(FamilyStatusChange.family_id == family.id))
    for change in changes.scalars():
        change.changed_at = _at(min(moments[change.to_status], today))
    notes = db.session.execute(select(CaseNote).where(CaseNote.family_id == family.id)).scalars()
    for note in notes:
        note.created_at = _at(min((arrival or today) + timedelta(days=20), today))
    db.session.flush()


def _settle_tasks(family: Family, today: date, left_open: list[str], caseworker: Any) -> None:
    """Tasks due more than three days ago were done on time, apart from the ones the demo leaves overdue."""
    for task in family.tasks:
        if task.due_on < today - timedelta(days=3) and task.checklist_key not in left_open:
            task.status = TaskStatus.DONE
            task.completed_at = _at(task.due_on)
            task.completed_by = caseworker
    db.session.flush()


def load_demo(users_by_email: dict[str, Any]) -> None:
    ensure_lha_rates()
    if db.session.execute(select(func.count()).select_from(Family)).scalar_one():
        return
    today = local_today()
    for spec in FAMILIES:
        _load_family(spec, users_by_email, today)
    db.session.flush()
