"""The gap report's grouping and wording, and the public lines made from it (no family identifiable)."""

from __future__ import annotations

from resettle.matching.gap_report import GapRow, gap_groups, public_lines
from resettle.matching.models import UnmetReason
from resettle.taxonomy import Category

NCO = UnmetReason.NO_COMPATIBLE_OFFER


def _housing(need_id: int, family: int, blocking: tuple[str, ...] = ("bedrooms", "rent"), **values: object) -> GapRow:
    fields = {"bedrooms_min": 4, "rent_max": 180000, "follows_bedroom_standard": True, **values}
    return GapRow(
        need_id=need_id,
        family_key=family,
        family_reference=f"REF-{family}",
        category=Category.HOUSING,
        item=None,
        reason=NCO,
        blocking=blocking,
        **fields,
    )


def test_housing_needs_group_by_reason_and_blocking_rules_with_the_example_wording() -> None:
    rows = [_housing(n, n) for n in range(1, 8)] + [_housing(8, 8, blocking=("step_free",))]
    first, second = gap_groups(rows)
    assert first.summary == "7 housing needs: no offer with 4 or more bedrooms at or under the LHA rate"
    assert (first.need_count, first.family_count) == (7, 7)
    assert second.summary == "1 housing need: no offer with step-free access"


def test_mixed_requirements_fall_back_to_general_words() -> None:
    rows = [
        _housing(1, 1, bedrooms_min=3, follows_bedroom_standard=False, rent_max=150000),
        _housing(2, 1, bedrooms_min=4, follows_bedroom_standard=False, rent_max=160000),
    ]
    [group] = gap_groups(rows)
    assert group.summary == "2 housing needs: no offer with enough bedrooms at or under £1,500 a month"
    assert group.family_count == 1


def test_other_reasons_and_goods() -> None:
    rows = [
        GapRow(1, 1, "A", Category.FURNITURE, "sofa", UnmetReason.NO_OFFER, ()),
        GapRow(2, 2, "B", Category.ESOL, None, UnmetReason.OUTCOMPETED, ()),
        GapRow(3, 3, "C", Category.SCHOOL_SUPPORT, None, UnmetReason.UNFUNDABLE, ()),
        GapRow(4, 4, "D", Category.ESOL, None, NCO, ("language", "rejected"), language="Dari"),
    ]
    summaries = sorted(group.summary for group in gap_groups(rows))
    assert summaries == [
        "1 English lessons (ESOL) need: no offer in Dari other than those already turned down",
        "1 English lessons (ESOL) need: the suitable offers all went to more urgent needs",
        "1 school support need: the suitable offers cost money that no funding open to the family can pay",
        "1 sofa need: no offer of this kind at all",
    ]


def test_public_lines_need_three_families_and_never_mention_rejections() -> None:
    two = [_housing(1, 1), _housing(2, 2)]
    assert public_lines(gap_groups(two)) == []
    three = two + [_housing(3, 3, blocking=("bedrooms", "rent", "rejected"))]
    [line] = public_lines(gap_groups(three))
    assert line.text == "Homes with 4 or more bedrooms at or under £1,800 a month"
    assert "rejected" not in line.text and "turned down" not in line.text
    assert line.families == 5 and line.offer_type is Category.HOUSING


def test_small_public_groups_pool_into_an_other_line_only_when_it_reaches_three() -> None:
    # Public lines say what would meet the needs, whatever blocked them: three families needing the same home
    # make one line, even when different rules blocked each.
    same = [_housing(1, 1), _housing(2, 2, blocking=("step_free",)), _housing(3, 3, blocking=("dates",))]
    assert [line.text for line in public_lines(gap_groups(same))] == [
        "Homes with 4 or more bedrooms at or under £1,800 a month"
    ]
    small = [_housing(1, 1, bedrooms_min=2), _housing(2, 2, bedrooms_min=3), _housing(3, 3, rent_max=None)]
    assert [line.text for line in public_lines(gap_groups(small))] == ["Homes to rent"]
    assert public_lines(gap_groups(small[:2])) == []
    fours = [_housing(n, n) for n in (4, 5, 6)]
    assert [line.text for line in public_lines(gap_groups(small + fours))] == [
        "Homes with 4 or more bedrooms at or under £1,800 a month",
        "Other homes to rent",
    ]


def test_the_report_counts_needs_and_families_of_grouped_cells() -> None:
    cells = [_housing(1, 1).cell(), _housing(2, 1).cell(), _housing(3, 2).cell()]
    [group] = gap_groups(cells)
    assert (group.need_count, group.family_count) == (3, 2)
