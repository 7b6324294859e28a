"""The bound of a problem solved in parts that counts each budget once (shared_budgets.py)."""

import numpy as np
import pytest

from resettle.matching.engine import solve
from resettle.matching.engine.shared_budgets import PartPrices, _undominated, joint_bound

from .feasibility import check
from .test_engine_parts import budget_problem, split_everything


def test_two_parts_wanting_one_budget_are_bounded_by_what_it_funds_once(monkeypatch):
    # the bed (3000 - 50) and the childcare place (1000 - 50) each cost the family's whole budget:
    # each part's own bound counts the budget once, their sum twice (3900); counted once, 2950
    split_everything(monkeypatch)
    data = budget_problem()
    result = solve(data, time_limit=10)
    assert result["stats"]["method"] == "parts"
    assert check(data, result).ok
    assert sum(part["bound"] for part in result["stats"]["parts"]) == pytest.approx(3900)
    assert result["stats"]["bound"] == pytest.approx(2950, abs=1e-3)
    assert result["stats"]["status"] == "optimal"


def test_the_budget_price_is_where_the_needs_best_columns_fit_the_budget():
    # two needs of one family, each worth 100 on a charge of 60 (or 40 on a free offer); budget 60:
    # at price p each is worth max(40, 100 - 60p); the bound 2 max(40, 100 - 60p) + 60p is smallest
    # at p = 1 (80 + 60 = 140), the optimum: one paid (100), one free (40)
    terms = PartPrices(
        free_need=np.array([0, 1]),
        free_value=np.array([40.0, 40.0]),
        need=np.array([0, 1]),
        key=np.array([0, 0]),
        value=np.array([100.0, 100.0]),
        charge=np.array([60.0, 60.0]),
        constant=0.0,
    )
    bound, prices = joint_bound([terms], np.array([60.0]), 1, 2)
    assert bound == pytest.approx(140.0, rel=1e-9)
    assert prices[0] == pytest.approx(1.0, rel=1e-6)


def test_a_column_dearer_and_worth_no_more_than_another_of_its_need_and_budget_is_left_out():
    need = np.array([0, 0, 0, 1])
    key = np.array([0, 0, 0, 0])
    value = np.array([10.0, 8.0, 12.0, 5.0])
    charge = np.array([5.0, 6.0, 9.0, 1.0])
    # (8 at 6) is beaten by (10 at 5); (12 at 9) is worth more, dearer: it stays
    assert _undominated(need, key, value, charge).tolist() == [0, 2, 3]
