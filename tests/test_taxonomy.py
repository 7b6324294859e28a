"""The shared vocabulary is complete and consistent."""

from resettle.taxonomy import CATEGORIES, ITEM_KINDS, Category, IntegrationDomain, items_for


def test_every_category_has_a_label_and_an_integration_domain() -> None:
    assert set(CATEGORIES) == set(Category)
    for info in CATEGORIES.values():
        assert info.label and isinstance(info.domain, IntegrationDomain)


def test_items_belong_to_goods_categories_only() -> None:
    for item in ITEM_KINDS.values():
        assert CATEGORIES[item.category].has_items, item.code
    assert {i.code for i in items_for(Category.FURNITURE)} >= {"bed", "cot", "fridge", "television", "computer"}


def test_codes_match_the_matching_engine_vocabulary() -> None:
    # The engine's instances use these category codes; a mismatch would silently stop matches.
    assert {"housing", "furniture", "household", "esol", "childcare", "school_support", "meal", "befriending"} <= {
        c.value for c in Category
    }
    assert {
        "bed",
        "cot",
        "sofa",
        "table",
        "wardrobe",
        "washing_machine",
        "fridge",
        "cooker",
        "television",
        "computer",
        "games_console",
        "kitchen_pack",
        "bedding",
    } <= set(ITEM_KINDS)


def test_each_category_names_the_requirements_that_apply_to_it() -> None:
    from resettle.taxonomy import Requirement, applicable_requirements

    def applies(category: Category, requirement: Requirement) -> bool:
        return requirement in CATEGORIES[category].requirements

    assert [c for c in Category if applies(c, Requirement.HALAL)] == [Category.MEAL, Category.OTHER]
    assert not applies(Category.FURNITURE, Requirement.STEP_FREE)
    assert applies(Category.HOUSING, Requirement.STEP_FREE) and applies(Category.ACTIVITIES, Requirement.STEP_FREE)
    assert {c for c in Category if applies(c, Requirement.LANGUAGE)} >= {
        Category.ESOL,
        Category.BEFRIENDING,
        Category.LEGAL_ADVICE,
    }
    assert [c for c in Category if applies(c, Requirement.BEDROOMS_MIN)] == [Category.HOUSING]
    requires = {"item": "sofa", "halal": True, "step_free": True, "max_distance_km": 5.0}
    assert applicable_requirements(Category.FURNITURE, requires) == {"item": "sofa", "max_distance_km": 5.0}
    assert applicable_requirements("meal", {"halal": True, "bedrooms_min": 2}) == {"halal": True}
