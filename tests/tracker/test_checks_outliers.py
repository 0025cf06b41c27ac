"""The batch outlier query (one window over every touched day) finds exactly what the
one-day check finds, on any data, gaps included (hypothesis)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import example, given, settings, target
from hypothesis import strategies as st

from tracker.checks import OUTLIERS_SQL, find_outlier

START = dt.date(2026, 1, 1)

# Mostly small daily values with rare spikes (and gaps where days are missing), so that
# outliers (> 10x the 8 weeks before, with at least 7 days of data) actually occur.
day_or_gap = st.one_of(
    st.none(),  # a day with no value
    st.integers(0, 5).map(float),
    st.integers(0, 5).map(float),
    st.integers(0, 5).map(float),
    st.sampled_from([60.0, 400.0, -80.0]),
)
series = st.lists(day_or_gap, min_size=20, max_size=150).map(
    lambda days: {n: v for n, v in enumerate(days) if v is not None}
)
SPIKE_AFTER_A_GAP = {**{n: 2.0 for n in range(0, 20)}, **{n: 1.0 for n in range(60, 70)}, 70: 50.0}


@pytest.mark.slow  # a property test that builds a database per example
@settings(max_examples=80, deadline=None)
@given(values=series, touched=st.sets(st.integers(0, 200), max_size=40))
@example(values=SPIKE_AFTER_A_GAP, touched={19, 69, 70})
def test_the_batch_query_agrees_with_the_one_day_check(values: dict, touched: set) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE daily_values (metric VARCHAR, day DATE, value DOUBLE)")
    con.execute("CREATE TEMP TABLE touched_days (metric VARCHAR, day DATE)")
    for n, v in values.items():
        con.execute("INSERT INTO daily_values VALUES ('m', ?, ?)", [START + dt.timedelta(n), v])
    mine = sorted(n for n in touched if n in values)
    for n in mine:
        con.execute("INSERT INTO touched_days VALUES ('m', ?)", [START + dt.timedelta(n)])
    batch = {(r[1], r[2], r[3], r[4]) for r in con.execute(OUTLIERS_SQL).fetchall()}
    one_by_one = set()
    for n in mine:
        day = START + dt.timedelta(n)
        found = find_outlier(con, "m", day, values[n])
        if found is not None:
            one_by_one.add((day, found.value, found.reference, found.days))
    target(float(len(one_by_one)))  # steer hypothesis towards data with outliers
    assert batch == one_by_one


def test_the_strategy_finds_outliers() -> None:
    """The property above is not vacuous: its explicit example has an outlier after a gap
    (day 70: 50 against at most 2 over the 8 weeks before)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE daily_values (metric VARCHAR, day DATE, value DOUBLE)")
    for n, v in SPIKE_AFTER_A_GAP.items():
        con.execute("INSERT INTO daily_values VALUES ('m', ?, ?)", [START + dt.timedelta(n), v])
    con.execute(
        "CREATE TEMP TABLE touched_days AS SELECT 'm' AS metric, ?::DATE AS day",
        [START + dt.timedelta(70)],
    )
    assert [(r[1], r[2], r[3]) for r in con.execute(OUTLIERS_SQL).fetchall()] == [
        (START + dt.timedelta(70), 50.0, 2.0)
    ]
