"""The shared figures draw what they are given, and only that."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import charts

D = dt.date


def test_kpi_chart_draws_the_lines_it_has_and_the_target() -> None:
    series = SimpleNamespace(
        actual=[(D(2026, 11, 2), 3.0), (D(2026, 11, 9), 7.0)],
        expected=[(D(2026, 11, 2), 2.0), (D(2026, 11, 9), 4.0)],
        forecast=[],  # nothing to forecast: no empty trace in the legend
        target=10.0,
    )
    fig = charts.kpi_chart(series)
    assert [t.name for t in fig.data] == ["actual", "expected pace"]
    assert list(fig.data[0].y) == [3.0, 7.0]
    assert fig.data[0].line.width == 3 and fig.data[1].line.dash == "dash"
    assert [shape.y0 for shape in fig.layout.shapes] == [10.0]
