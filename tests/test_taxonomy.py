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
