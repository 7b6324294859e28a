"""Choosing an offer by hand through the service the page and the API share: only a compatible offer line
can be chosen, and its stream and charge are worked out by the service, never taken from the caller."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from resettle.families.models import NeedStatus
from resettle.matching.picking import compatible_candidates, pick_compatible_offer
from resettle.matching.services import MatchError
from resettle.taxonomy import Category
from tests.matching.conftest import arrived_family, open_need, verified_offer


def test_only_a_compatible_offer_can_be_chosen(database: Any, caseworker: Any) -> None:
    family = arrived_family(caseworker, latitude=51.4613, longitude=-0.0106)
    need = open_need(family, Category.ESOL, language="Arabic", max_distance_km=5.0)
    near = verified_offer(Category.ESOL, languages=["Arabic"], latitude=51.46, longitude=-0.01)
    far = verified_offer(Category.ESOL, languages=["Dari"], latitude=51.5350, longitude=-0.0106)
    compatible = compatible_candidates(need, date.today())
    assert [c.line.offer for c in compatible.values()] == [near]

    with pytest.raises(MatchError) as refused:
        pick_compatible_offer(need, f"offer-{far.id}", caseworker, date.today())
    assert (refused.value.field, refused.value.message) == ("offer", "Select one of the suitable offers")
    assert need.status is NeedStatus.OPEN

    match = pick_compatible_offer(need, next(iter(compatible)), caseworker, date.today())
    assert match.offer == near and need.status is NeedStatus.MATCHED
    assert compatible_candidates(need, date.today()) == {}  # matched: nothing more to choose
