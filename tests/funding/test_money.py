"""Pounds typed by people become integer pence exactly, or a GOV.UK error message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resettle.funding.money import MAX_PENCE, MoneyError, parse_pounds, pounds_text


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("329", 32_900),
        ("329.00", 32_900),
        ("£1,249.5", 124_950),
        (" 0.01 ", 1),
        ("10000000", MAX_PENCE),
    ],
)
def test_pounds_become_pence(text: str, pence: int) -> None:
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.345", "Enter an amount in pounds and pence, like 149.99"),
        ("-5", "Enter an amount in pounds and pence, like 149.99"),
        ("ten", "Enter an amount in pounds and pence, like 149.99"),
        ("1,00", "Enter an amount in pounds and pence, like 149.99"),
        ("10000000.01", "Amount must be £10,000,000 or less"),
    ],
)
def test_unclear_amounts_are_refused(text: str, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_pounds(text)


@given(st.integers(min_value=0, max_value=MAX_PENCE))
def test_pence_shown_for_editing_read_back_the_same(pence: int) -> None:
    assert parse_pounds(pounds_text(pence)) == pence
