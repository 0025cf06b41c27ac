"""The batch outlier query (fast ROWS frame, exact where data has gaps) finds what the
one-day check finds, on any data (hypothesis)."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.checks import OUTLIERS_SQL, find_outlier

START = dt.date(2026, 1, 1)

series = st.dictionaries(
    st.integers(0, 200), st.sampled_from([0.0, 1.0, 2.0, 5.0, 30.0, 100.0, -40.0]), max_size=120
)


@settings(max_examples=60, deadline=None)
@given(values=series, touched=st.sets(st.integers(0, 200), max_size=30))
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
    assert batch == one_by_one
