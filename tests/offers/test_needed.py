"""What is needed now: aggregated so no family can be identified (suppressed below 3 families, counts rounded)."""

from __future__ import annotations

from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from resettle.families.models import FamilyStatus, NeedStatus
from resettle.offers.needed import MIN_FAMILIES, NeedRow, aggregate_needs, is_needed_now, rounded_families
from resettle.taxonomy import Category
from tests.families.factories import FamilyFactory, NeedFactory

INNER = "inner South East London"


def _homes(family_keys: range | list[int], **values: object) -> list[NeedRow]:
    fields = {"bedrooms_min": 3, "step_free": True, "rent_max_pence": 194467, "area": INNER, **values}
    return [NeedRow(family_key=key, category=Category.HOUSING, **fields) for key in family_keys]


def test_a_line_needs_three_families_and_reads_like_the_example() -> None:
    assert aggregate_needs(_homes([1, 2])) == []
    [line] = aggregate_needs(_homes([1, 2, 3]))
    assert (
        line.text == "Homes with 3 or more bedrooms, step-free, at or under £1,940 a month in inner South East London"
    )
    assert line.families == 5 and line.families_text == "About 5 families"
    assert line.offer_type is Category.HOUSING
    assert dict(line.offer_args) == {"bedrooms": "3", "step_free": "yes", "rent": "1940"}


def test_the_issue_example_names_the_districts_of_the_families_behind_the_line() -> None:
    rows = (
        _homes([1, 2], bedrooms_min=4, rent_max_pence=165_099, area="SE6")
        + _homes([3], bedrooms_min=4, rent_max_pence=190_000, area="SE6")
        + _homes([4], bedrooms_min=4, rent_max_pence=180_000, area="SE13")
        + _homes([5], bedrooms_min=4, rent_max_pence=199_000, area="SE13")
        + _homes([6], bedrooms_min=4, rent_max_pence=175_000, area="SE13")
    )
    [line] = aggregate_needs(rows)
    assert line.text == "Homes with 4 or more bedrooms, step-free, at or under £1,650 a month in SE6 or SE13"
    assert dict(line.offer_args) == {"bedrooms": "4", "step_free": "yes", "rent": "1650"}
    # Two families in SE13: no district is named, since that would place their need there.
    [line] = aggregate_needs(rows[:-1])
    assert line.text == "Homes with 4 or more bedrooms, step-free, at or under £1,650 a month"


def test_several_needs_of_one_family_count_once() -> None:
    rows = [NeedRow(family_key=1, category=Category.FURNITURE, item="cot") for _ in range(5)]
    assert aggregate_needs(rows) == []
    rows += [NeedRow(family_key=key, category=Category.FURNITURE, item="cot") for key in (2, 3)]
    [line] = aggregate_needs(rows)
    assert line.text == "Cot"


def test_small_groups_are_pooled_into_a_broader_line_that_must_itself_reach_three() -> None:
    rows = _homes([1, 2], bedrooms_min=2) + _homes([3], bedrooms_min=4) + _homes([4, 5, 6], bedrooms_min=3)
    texts = [line.text for line in aggregate_needs(rows)]
    assert texts == [
        "Homes with 3 or more bedrooms, step-free, at or under £1,940 a month in inner South East London",
        "Other step-free homes at or under £1,940 a month in inner South East London",  # what the rest share
    ]
    assert [line.text for line in aggregate_needs(_homes([1, 2], bedrooms_min=2))] == []


def test_the_rent_shown_suits_every_family_in_the_line() -> None:
    rows = _homes([1], rent_max_pence=160000) + _homes([2, 3], rent_max_pence=194467)
    assert "at or under £1,600 a month" in aggregate_needs(rows)[0].text


def test_lines_for_other_kinds_of_need() -> None:
    rows = (
        [NeedRow(family_key=key, category=Category.ESOL, language="Dari") for key in (1, 2, 3)]
        + [NeedRow(family_key=key, category=Category.MEAL, halal=True) for key in (4, 5, 6)]
        + [NeedRow(family_key=key, category=Category.HOUSEHOLD, item="bedding") for key in (7, 8, 9)]
    )
    lines = {line.text: line.offer_type for line in aggregate_needs(rows)}
    assert lines == {
        "English lessons (ESOL) with a tutor who speaks Dari": Category.ESOL,
        "Welcome meal (halal)": Category.MEAL,
        "Bedding set": Category.FURNITURE,
    }


@given(st.integers(min_value=MIN_FAMILIES, max_value=500))
def test_counts_are_rounded_to_fives_and_never_below_five(count: int) -> None:
    shown = rounded_families(count)
    assert shown % 5 == 0 and shown >= 5 and abs(shown - count) <= 2


@given(st.lists(st.tuples(st.integers(1, 12), st.sampled_from(["bed", "cot", "sofa"])), max_size=40))
def test_no_line_is_ever_backed_by_fewer_than_three_families(needs: list[tuple[int, str]]) -> None:
    rows = [NeedRow(family_key=family, category=Category.FURNITURE, item=item) for family, item in needs]
    families_by_item = {item: {row.family_key for row in rows if row.item == item} for item in ("bed", "cot", "sofa")}
    labels = {"bed": "Bed (with mattress)", "cot": "Cot", "sofa": "Sofa"}
    for line in aggregate_needs(rows):
        detailed = [item for item, label in labels.items() if line.text == label]
        if detailed:
            backing = families_by_item[detailed[0]]
        else:  # the pooled line: only items too small to show on their own
            backing = set().union(*(families for families in families_by_item.values() if len(families) < MIN_FAMILIES))
        assert len(backing) >= MIN_FAMILIES
        assert line.families == rounded_families(len(backing))


def test_whether_an_offer_is_needed_now() -> None:
    rows = _homes([1], bedrooms_min=3, step_free=True) + [
        NeedRow(family_key=2, category=Category.FURNITURE, item="cot")
    ]
    assert is_needed_now(rows, Category.HOUSING, bedrooms=4, step_free=True)
    assert not is_needed_now(rows, Category.HOUSING, bedrooms=2, step_free=True)
    assert not is_needed_now(rows, Category.HOUSING, bedrooms=4, step_free=False)
    assert is_needed_now(rows, Category.FURNITURE, items=["sofa", "cot"])
    assert not is_needed_now(rows, Category.FURNITURE, items=["television"])
    assert not is_needed_now(rows, Category.MEAL)


def test_the_page_lists_open_needs_without_anything_that_identifies_a_family(client: FlaskClient) -> None:
    families = [FamilyFactory(name=f"Alawayed {n}", postcode="SE13 6AA") for n in range(3)]
    for family in families:
        NeedFactory(family=family, category=Category.FURNITURE, item="cot")
        NeedFactory(family=family, category=Category.ESOL, language="Tigrinya", status=NeedStatus.MET)
    lonely = FamilyFactory(name="Haddad", postcode="SE6 4RU")
    NeedFactory(family=lonely, category=Category.HOUSING, bedrooms_min=5)
    closed = FamilyFactory(name="Closed", status=FamilyStatus.CLOSED)
    NeedFactory(family=closed, category=Category.FURNITURE, item="cot")
    page = client.get("/needed").get_data(as_text=True)
    assert "Cot" in page and "About 5 families" in page
    assert 'href="/offer/furniture?item=cot"' in page
    assert "5-bedroom" not in page and "Tigrinya" not in page  # one family; needs already met
    for secret in ("Alawayed", "Haddad", "SE13", "SE6 4RU", "Example Road", "1985"):
        assert secret not in page


def test_the_page_says_so_kindly_when_nothing_can_be_listed(client: FlaskClient) -> None:
    page = client.get("/needed").get_data(as_text=True)
    assert "There is nothing we can list right now" in page


def test_pooled_small_groups_are_named_plainly_when_nothing_more_detailed_is_shown() -> None:
    rows = _homes([1, 2], bedrooms_min=4) + _homes([3], bedrooms_min=2, step_free=False, area=None)
    assert [line.text for line in aggregate_needs(rows)] == ["Homes at or under £1,940 a month"]
    rows = _homes([1, 2], bedrooms_min=4) + _homes([3], bedrooms_min=2, step_free=False, area=None, rent_max_pence=None)
    [line] = aggregate_needs(rows)
    assert line.text == "Homes to rent" and line.offer_args == ()
