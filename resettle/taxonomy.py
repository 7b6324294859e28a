"""One vocabulary shared by needs, offers, funding and the matching engine.

Category and item codes are the strings the matching engine receives (../shared/matching/SPEC.md), so a
need and an offer match only when they use the same code. Each category maps to a domain of the Home
Office Indicators of Integration framework (2019) for reporting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


def in_sentence(label: str) -> str:
    """A sentence-case label as it reads inside a sentence: "Welcome meal" becomes "welcome meal", but a first
    word that is a name or an acronym stays ("English lessons (ESOL)", "DVD player")."""
    first = label.split(" ", 1)[0]
    if not first or first.isupper() or first in PROPER_WORDS:
        return label
    return label[0].lower() + label[1:]


PROPER_WORDS = frozenset({"English", "Arabic", "Ukrainian", "Dari", "Pashto", "Farsi", "Kurdish"})


class IntegrationDomain(enum.StrEnum):
    WORK = "work"
    EDUCATION = "education"
    HOUSING = "housing"
    HEALTH_SOCIAL_CARE = "health_social_care"
    LEISURE = "leisure"
    BONDS = "bonds"
    BRIDGES = "bridges"
    LINKS = "links"
    LANGUAGE_COMMUNICATION = "language_communication"
    CULTURE = "culture"
    DIGITAL_SKILLS = "digital_skills"
    SAFETY = "safety"
    STABILITY = "stability"
    RIGHTS_RESPONSIBILITIES = "rights_responsibilities"

    @property
    def label(self) -> str:
        return DOMAIN_LABELS[self]


DOMAIN_LABELS = {
    IntegrationDomain.WORK: "Work",
    IntegrationDomain.EDUCATION: "Education",
    IntegrationDomain.HOUSING: "Housing",
    IntegrationDomain.HEALTH_SOCIAL_CARE: "Health and social care",
    IntegrationDomain.LEISURE: "Leisure",
    IntegrationDomain.BONDS: "Social bonds",
    IntegrationDomain.BRIDGES: "Social bridges",
    IntegrationDomain.LINKS: "Social links",
    IntegrationDomain.LANGUAGE_COMMUNICATION: "Language and communication",
    IntegrationDomain.CULTURE: "Culture",
    IntegrationDomain.DIGITAL_SKILLS: "Digital skills",
    IntegrationDomain.SAFETY: "Safety",
    IntegrationDomain.STABILITY: "Stability",
    IntegrationDomain.RIGHTS_RESPONSIBILITIES: "Rights and responsibilities",
}


class Category(enum.StrEnum):
    HOUSING = "housing"
    FURNITURE = "furniture"
    HOUSEHOLD = "household"
    ESOL = "esol"
    SCHOOL_SUPPORT = "school_support"
    CHILDCARE = "childcare"
    MEAL = "meal"
    BEFRIENDING = "befriending"
    EMPLOYMENT = "employment"
    HEALTH_ACCESS = "health_access"
    DIGITAL = "digital"
    ACTIVITIES = "activities"
    LEGAL_ADVICE = "legal_advice"
    OTHER = "other"

    @property
    def info(self) -> CategoryInfo:
        return CATEGORIES[self]

    @property
    def label(self) -> str:
        return CATEGORIES[self].label


class Requirement(enum.StrEnum):
    """The optional requirements a need can carry: the engine's `requires` keys other than `item`."""

    BEDROOMS_MIN = "bedrooms_min"
    RENT_MAX = "rent_max"
    STEP_FREE = "step_free"
    LANGUAGE = "language"
    HALAL = "halal"
    HOME_VISIT = "home_visit"
    MAX_DISTANCE_KM = "max_distance_km"


# Halal is about food; step-free access about places people go to; a language about people who talk with
# the family. Anything held somewhere can also be brought home, and the place can be too far away.
HELD_SOMEWHERE = frozenset({Requirement.STEP_FREE, Requirement.HOME_VISIT, Requirement.MAX_DISTANCE_KM})
SPOKEN = HELD_SOMEWHERE | {Requirement.LANGUAGE}


@dataclass(frozen=True)
class CategoryInfo:
    label: str
    domain: IntegrationDomain
    has_items: bool = False  # goods: the need or offer names an item kind
    offer_label: str = ""  # how the public offer form names it
    requirements: frozenset[Requirement] = HELD_SOMEWHERE  # which requirements a need of this kind may carry


CATEGORIES: dict[Category, CategoryInfo] = {
    Category.HOUSING: CategoryInfo(
        "Housing",
        IntegrationDomain.HOUSING,
        offer_label="A home to rent",
        requirements=frozenset(
            {Requirement.BEDROOMS_MIN, Requirement.RENT_MAX, Requirement.STEP_FREE, Requirement.MAX_DISTANCE_KM}
        ),
    ),
    Category.FURNITURE: CategoryInfo(
        "Furniture and white goods",
        IntegrationDomain.HOUSING,
        has_items=True,
        offer_label="Furniture and household goods",
        requirements=frozenset({Requirement.MAX_DISTANCE_KM}),
    ),
    Category.HOUSEHOLD: CategoryInfo(
        "Household items",
        IntegrationDomain.HOUSING,
        has_items=True,
        offer_label="Furniture and household goods",
        requirements=frozenset({Requirement.MAX_DISTANCE_KM}),
    ),
    Category.ESOL: CategoryInfo(
        "English lessons (ESOL)",
        IntegrationDomain.LANGUAGE_COMMUNICATION,
        offer_label="English lessons (ESOL) or tutoring",
        requirements=SPOKEN,
    ),
    Category.SCHOOL_SUPPORT: CategoryInfo(
        "School support", IntegrationDomain.EDUCATION, offer_label="Help with school or homework"
    ),
    Category.CHILDCARE: CategoryInfo("Childcare", IntegrationDomain.EDUCATION, offer_label="Childcare"),
    Category.MEAL: CategoryInfo(
        "Welcome meal",
        IntegrationDomain.BRIDGES,
        offer_label="Meals",
        requirements=HELD_SOMEWHERE | {Requirement.HALAL},
    ),
    Category.BEFRIENDING: CategoryInfo(
        "Befriending", IntegrationDomain.BRIDGES, offer_label="Befriending", requirements=SPOKEN
    ),
    Category.EMPLOYMENT: CategoryInfo(
        "Employment", IntegrationDomain.WORK, offer_label="Employment, work experience or mentoring"
    ),
    Category.HEALTH_ACCESS: CategoryInfo(
        "Health access",
        IntegrationDomain.HEALTH_SOCIAL_CARE,
        offer_label="Help getting to health services",
        requirements=SPOKEN,
    ),
    Category.DIGITAL: CategoryInfo(
        "Digital skills and access", IntegrationDomain.DIGITAL_SKILLS, offer_label="Digital skills or devices"
    ),
    Category.ACTIVITIES: CategoryInfo(
        "Leisure and activities", IntegrationDomain.LEISURE, offer_label="Activities and lessons"
    ),
    Category.LEGAL_ADVICE: CategoryInfo(
        "Legal advice", IntegrationDomain.RIGHTS_RESPONSIBILITIES, offer_label="Legal advice", requirements=SPOKEN
    ),
    Category.OTHER: CategoryInfo(
        "Other",
        IntegrationDomain.LINKS,
        offer_label="Something else",
        requirements=SPOKEN | {Requirement.HALAL},
    ),
}


@dataclass(frozen=True)
class ItemKind:
    code: str
    label: str
    category: Category


# Goods. Codes match the matching engine's `item` attribute. Whether public funds may pay for an item is
# a funding rule held as data in the database (expense categories), not decided here.
ITEM_KINDS: dict[str, ItemKind] = {
    item.code: item
    for item in [
        ItemKind("bed", "Bed (with mattress)", Category.FURNITURE),
        ItemKind("cot", "Cot", Category.FURNITURE),
        ItemKind("sofa", "Sofa", Category.FURNITURE),
        ItemKind("table", "Table and chairs", Category.FURNITURE),
        ItemKind("wardrobe", "Wardrobe", Category.FURNITURE),
        ItemKind("chest_of_drawers", "Chest of drawers", Category.FURNITURE),
        ItemKind("fridge", "Fridge or fridge-freezer", Category.FURNITURE),
        ItemKind("cooker", "Cooker", Category.FURNITURE),
        ItemKind("washing_machine", "Washing machine", Category.FURNITURE),
        ItemKind("television", "Television", Category.FURNITURE),
        ItemKind("dvd_player", "DVD player", Category.FURNITURE),
        ItemKind("games_console", "Games console", Category.FURNITURE),
        ItemKind("computer", "Computer or laptop", Category.FURNITURE),
        ItemKind("tablet", "Tablet", Category.FURNITURE),
        ItemKind("radio", "Radio", Category.FURNITURE),
        ItemKind("kitchen_pack", "Kitchen pack (pans, plates, cutlery)", Category.HOUSEHOLD),
        ItemKind("bedding", "Bedding set", Category.HOUSEHOLD),
        ItemKind("towels", "Towels", Category.HOUSEHOLD),
        ItemKind("curtains", "Curtains", Category.HOUSEHOLD),
        ItemKind("pram", "Pram or pushchair", Category.HOUSEHOLD),
        ItemKind("toaster", "Toaster or kettle", Category.HOUSEHOLD),
    ]
}


def items_for(category: Category) -> list[ItemKind]:
    return [item for item in ITEM_KINDS.values() if item.category == category]


def category_choices() -> list[tuple[str, str]]:
    return [(category.value, info.label) for category, info in CATEGORIES.items()]


def item_choices(category: Category | None = None) -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in ITEM_KINDS.values() if category is None or item.category == category]


def applicable_requirements(category: Category | str, requires: dict[str, Any]) -> dict[str, Any]:
    """`requires` without the requirements that do not apply to the category (a sofa is not halal).

    Needs saved before categories named their requirements may still hold such flags; the matching
    engine must never see them. `item` belongs to goods categories and is kept.
    """
    try:
        allowed = CATEGORIES[Category(category)].requirements
    except ValueError:
        return dict(requires)
    return {key: value for key, value in requires.items() if key == "item" or key in allowed}
