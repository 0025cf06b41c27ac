"""Numbers as people read them: shares keep the digits that tell them apart."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tracker import formats


def test_a_share_under_ten_percent_keeps_two_significant_digits() -> None:
    # The demo's 1.5% inquiry-rate target read "2%" beside a chart line at 1.5%.
    assert formats.percent(0.015) == "1.5%"
    assert formats.percent(0.0095) == "0.95%"
    assert formats.percent(0.07) == "7%"
    assert formats.percent(0.21) == "21%"
    assert formats.percent(1.39) == "139%"
    assert formats.percent(None) == "–"
    rate = SimpleNamespace(aggregation="ratio", unit=None)
    assert formats.kpi_value(rate, 0.015) == "1.5%"


def test_periods_read_as_days_and_months() -> None:
    from tracker.formats import day_span, period

    assert period("2026-W46") == "week of 9 Nov 2026"
    assert period("2026-11") == "November 2026"
    assert day_span(dt.date(2026, 11, 9), dt.date(2026, 11, 15)) == "9–15 Nov 2026"
    assert day_span(dt.date(2026, 11, 30), dt.date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert day_span(dt.date(2025, 12, 29), dt.date(2026, 1, 4)) == "29 Dec 2025 – 4 Jan 2026"
