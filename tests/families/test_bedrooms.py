"""The bedroom standard (domain.md §2.1), its worked examples and edges, and the LHA size it leads to."""

from __future__ import annotations

import pytest

from resettle.families.bedrooms import Person, bedroom_standard, lha_bedrooms

F, M = "female", "male"


def couple(age_a: int = 40, age_b: int = 38) -> list[Person]:
    return [Person(age_a, M, in_couple=True), Person(age_b, F, in_couple=True)]


@pytest.mark.parametrize(
    ("household", "rooms"),
    [
        # The worked examples.
        (couple() + [Person(4, M), Person(6, F)], 2),
        ([Person(35, F), Person(8, F), Person(12, M)], 3),
        (couple() + [Person(17, M), Person(13, M), Person(15, F)], 4),
    ],
    ids=["couple-children-4-and-6", "single-parent-girl-8-boy-12", "couple-sons-17-13-daughter-15"],
)
def test_worked_examples(household: list[Person], rooms: int) -> None:
    assert bedroom_standard(household) == rooms


@pytest.mark.parametrize(
    ("household", "rooms"),
    [
        ([Person(30, M)], 1),
        (couple(), 1),
        ([Person(30, M), Person(28, F)], 2),  # two adults who are not a couple
        (couple() + [Person(16, M)], 2),  # 16 counts as an adult
        (couple() + [Person(15, M), Person(15, F)], 3),  # under 16 but 10 or over, different sexes
        (couple() + [Person(9, M), Person(9, F)], 2),  # both under 10 share whatever their sex
        (couple() + [Person(9, M), Person(10, F)], 3),  # the girl turning 10 separates them
        (couple() + [Person(3, F), Person(3, F), Person(3, F)], 3),  # two share, the third has her own
        (couple() + [Person(70, M), Person(68, F)], 3),  # grandparents each count as other adults
        (couple() + [Person(14, M), Person(8, M), Person(7, F)], 3),  # pair the boys, or the young ones: 2 rooms
        ([], 0),
    ],
)
def test_rules_and_edges(household: list[Person], rooms: int) -> None:
    assert bedroom_standard(household) == rooms


def test_the_pairing_is_optimal_not_greedy() -> None:
    # Pairing the boy of 5 with the girl of 7 (both under 10) would leave the girl of 12 and the boy of 14
    # a room each: 3 rooms. The best pairing is the boys together and the girls together: 2 rooms.
    children = [Person(5, M), Person(7, F), Person(12, F), Person(14, M)]
    assert bedroom_standard(children) == 2


def test_an_overnight_carer_adds_a_room() -> None:
    assert bedroom_standard(couple(), overnight_carer=True) == 2


def test_lha_size_is_capped_at_four_bedrooms_and_shared_for_young_single_people() -> None:
    big = couple() + [Person(20, M), Person(18, F), Person(17, M), Person(12, F), Person(11, M)]
    assert bedroom_standard(big) == 6
    assert lha_bedrooms(big) == 4
    assert lha_bedrooms([Person(24, M)]) == 0
    assert lha_bedrooms([Person(40, M)]) == 1
