"""The same database gives the same report, to the last digit, every time.

DuckDB adds up in parallel, in whatever order its threads finish; a number built from
running sums can differ in its last bits between two runs, and a value on a rounding
edge then shows a different 12th digit. `status --json` read twice must not differ.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from benchmarks.generate import AS_OF, Size, build
from tracker.progress import compute_progress


@pytest.mark.slow  # builds 1,000,000 values: row groups enough for DuckDB to add in threads
def test_the_same_database_gives_the_same_report_every_time(tmp_path: Path) -> None:
    # 1,000 KPIs over 1,000 days: about a third "latest", whose forecasts are fitted lines
    store = build(Size("repeat", 1_000, 1_000_000), tmp_path / "w.duckdb")
    days = [AS_OF - dt.timedelta(days=37 * i) for i in range(10)]  # windows end anywhere
    with store.session():
        for day in days:
            first = compute_progress(store, day).as_dict()
            forecasts = [k["forecast"] for k in first["kpis"] if k["aggregation"] == "latest"]
            assert len(forecasts) >= 300 and any(f % 1 for f in forecasts if f is not None)
            for _ in range(6):
                assert compute_progress(store, day).as_dict() == first, day
