"""Property tests for what a mapping reads: decimal commas and day formats (#19)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tracker.imports.mapping import DAY_FORMATS, _number, detect_day_format


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_a_number_written_with_a_decimal_comma_reads_back(value) -> None:
    whole, _, cents = f"{abs(value):,.2f}".partition(".")
    written = ("-" if value < 0 else "") + whole.replace(",", ".") + "," + cents  # 1.250,50
    assert _number(written, decimal_comma=True, mark_known=True) == float(value)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_day_first_dates_are_detected_when_a_day_is_above_twelve(day) -> None:
    samples = [day.strftime("%d.%m.%Y"), dt.date(day.year, 1, 25).strftime("%d.%m.%Y")]
    assert detect_day_format(samples) == "%d.%m.%Y"
    slashed = [d.strftime("%m/%d/%Y") for d in (day, dt.date(day.year, 1, 25))]
    fmt = detect_day_format(slashed)
    assert fmt in DAY_FORMATS
    assert all(
        dt.datetime.strptime(s, fmt).date() == d
        for s, d in zip(slashed, (day, dt.date(day.year, 1, 25)), strict=True)
    )
