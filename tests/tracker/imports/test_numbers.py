"""How a typed or imported number is read (tracker.imports.values.parse_number): the
Plan page's fields read numbers the same way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.imports.values import parse_number


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1,500", 1500.0),
        ("12,345,678", 12_345_678.0),
        ("-1,500", -1500.0),
        ("1,50", 1.5),  # two digits after the comma: no grouping
        # groups of thousands never start with 0: a target typed 0,015 was stored as 15
        ("0,015", 0.015),
        ("-0,250", -0.25),
    ],
)
def test_a_comma_groups_thousands_only_where_it_can(typed: str, read: float) -> None:
    assert parse_number(typed) == read


@given(st.integers(min_value=1, max_value=999))
def test_a_fraction_written_with_a_decimal_comma_is_that_fraction(thousandths: int) -> None:
    typed = f"0,{thousandths:03d}"
    assert parse_number(typed) == pytest.approx(thousandths / 1000)
