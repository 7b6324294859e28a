"""The bedroom standard (LHA size criteria, domain.md §2.1) as a pure function.

One bedroom for each of: an adult couple; any other person aged 16 or over; two children of the same
sex under 16; two children under 10 whatever their sex; any other child; a non-resident overnight carer.
Finding the fewest rooms for the children is a maximum matching on "may share" pairs; families are small,
so a memoised search over pairings is exact and quick.

Entitlement changes when a child turns 10 or 16, which is why housing needs are recomputed daily.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

ADULT_AGE = 16
MIXED_SHARING_AGE = 10
LHA_BEDROOM_CAP = 4
SHARED_RATE_AGE = 35


@dataclass(frozen=True)
class Person:
    age: int
    sex: str  # "female" or "male"
    in_couple: bool = False  # one of the household's adult couple


def _may_share(first: tuple[int, str], second: tuple[int, str]) -> bool:
    (age_a, sex_a), (age_b, sex_b) = first, second
    if age_a < MIXED_SHARING_AGE and age_b < MIXED_SHARING_AGE:
        return True
    return age_a < ADULT_AGE and age_b < ADULT_AGE and sex_a == sex_b


@cache
def _rooms_for_children(children: tuple[tuple[int, str], ...]) -> int:
    """Fewest rooms for these children: the first child sleeps alone or shares with a compatible child."""
    if not children:
        return 0
    first, rest = children[0], children[1:]
    best = 1 + _rooms_for_children(rest)
    for index, other in enumerate(rest):
        if _may_share(first, other):
            best = min(best, 1 + _rooms_for_children(rest[:index] + rest[index + 1 :]))
    return best


def bedroom_standard(people: Iterable[Person], overnight_carer: bool = False) -> int:
    """Bedrooms the household is entitled to (not capped; the LHA cap applies to rent, see `lha_bedrooms`)."""
    people = list(people)
    in_couple = [person.in_couple and person.age >= ADULT_AGE for person in people]
    has_couple = sum(in_couple) == 2  # otherwise each adult counts on their own
    rooms = 1 if has_couple else 0
    children: list[tuple[int, str]] = []
    for person, is_couple_member in zip(people, in_couple, strict=True):
        if has_couple and is_couple_member:
            continue
        if person.age >= ADULT_AGE:
            rooms += 1
        else:
            children.append((person.age, person.sex))
    rooms += _rooms_for_children(tuple(sorted(children)))
    return rooms + (1 if overnight_carer else 0)


def lha_bedrooms(people: Sequence[Person], overnight_carer: bool = False) -> int:
    """The LHA rate to use: 0 is the shared accommodation rate for a single person under 35; otherwise the
    bedroom standard capped at 4 bedrooms."""
    if len(people) == 1 and people[0].age < SHARED_RATE_AGE and not overnight_carer:
        return 0
    return min(bedroom_standard(people, overnight_carer), LHA_BEDROOM_CAP)
