"""Numbers as people read them: shares keep the digits that tell them apart."""

from __future__ import annotations

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
