"""The batch outlier query (one window over every touched day) finds exactly what the
one-day check finds, on any data, gaps included (hypothesis). The batch query takes a
window of rows for metrics with a value every day and a window of days for the rest, so
each example holds one metric of each kind."""

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
a_value = st.one_of(
    st.integers(0, 5).map(float),
    st.integers(0, 5).map(float),
    st.integers(0, 5).map(float),
    st.sampled_from([60.0, 400.0, -80.0]),
)
day_or_gap = st.one_of(st.none(), *[a_value] * 4)  # none: a day with no value
series = st.lists(day_or_gap, min_size=20, max_size=150).map(
    lambda days: {n: v for n, v in enumerate(days) if v is not None}
)
# a value every 1 to 20 days: metrics read weekly or twice a month, judged once they have
# 7 days of values before, however far back
sparse = st.lists(st.tuples(st.integers(1, 20), a_value), min_size=3, max_size=40).map(
    lambda steps: {sum(s for s, _ in steps[: i + 1]): v for i, (_, v) in enumerate(steps)}
)
# every day has a value: the fast window of rows (long enough to fill its 56 rows)
dense = st.lists(a_value, min_size=60, max_size=150).map(lambda days: dict(enumerate(days)))
SPIKE_AFTER_A_GAP = {**{n: 2.0 for n in range(0, 20)}, **{n: 1.0 for n in range(60, 70)}, 70: 50.0}


@pytest.mark.slow  # a property test that builds a database per example
@settings(max_examples=80, deadline=None)
@given(
    values=st.one_of(series, sparse),
    every_day=dense,
    touched=st.one_of(
        st.sets(st.integers(0, 400), max_size=40),
        st.integers(0, 400).map(lambda first: set(range(first, first + 30))),  # a month
    ),
)
@example(values=SPIKE_AFTER_A_GAP, every_day={n: 1.0 for n in range(80)}, touched={19, 69, 70})
# at the bound of the steady-metric shortcut: tenfold is no outlier, a little more is one
@example(values={}, every_day={**{n: 1.0 for n in range(60)}, 60: 10.0}, touched={60})
@example(values={}, every_day={**{n: 1.0 for n in range(60)}, 60: 10.5}, touched={60})
# the block shortcut: day 0 (400) is in the 8th 7-day block before day 60's but outside
# its 56 days, so day 60 (50) is an outlier; a shortcut counting 8 blocks would miss it
# (day 0 is touched too, so the scope reaches back to it; START begins a block,
# 2026-01-01 being 2922 weeks after 1970-01-01)
@example(
    values={},
    every_day={0: 400.0, **{n: 1.0 for n in range(1, 70)}, 60: 50.0},
    touched={0, 60},
)
# a spike after a 7-week gap: the 7 values before the gap are still inside its 56 days
# (the first day of the 8th block after them), so it is an outlier (found by a review)
@example(
    values={},
    every_day={**{n: 1.0 for n in range(7)}, 56: 100.0, **{n: 1.0 for n in range(57, 70)}},
    touched={56},
)
# a metric read every two weeks: 8 days of values, 4 of them in the 8 weeks before day
# 112, is checked (DESIGN counts the metric's days, not the 8 weeks')
@example(
    values={**{n: 1.0 for n in range(0, 112, 14)}, 112: 50.0},
    every_day={n: 1.0 for n in range(70)},
    touched={112},
)
# a week of values, months of nothing, then two days: the second is judged against the
# first alone (the block shortcut must not skip a block with nothing in the 8 before)
@example(
    values={**{n: 1.0 for n in range(7)}, 100: 1.0, 101: 50.0},
    every_day={n: 1.0 for n in range(70)},
    touched={101},
)
def test_the_batch_query_agrees_with_the_one_day_check(
    values: dict, every_day: dict, touched: set
) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE daily_values (metric VARCHAR, day DATE, value DOUBLE)")
    con.execute("CREATE TEMP TABLE touched_days (metric VARCHAR, day DATE)")
    series_of = {"gappy": values, "daily": every_day}
    one_by_one = set()
    for metric, series_values in series_of.items():
        for n, v in series_values.items():
            con.execute(
                "INSERT INTO daily_values VALUES (?, ?, ?)", [metric, START + dt.timedelta(n), v]
            )
        for n in sorted(n for n in touched if n in series_values):
            con.execute("INSERT INTO touched_days VALUES (?, ?)", [metric, START + dt.timedelta(n)])
    for metric, series_values in series_of.items():
        for n in sorted(n for n in touched if n in series_values):
            day = START + dt.timedelta(n)
            found = find_outlier(con, metric, day, series_values[n])
            if found is not None:
                one_by_one.add((metric, day, found.value, found.reference, found.days))
    batch = {tuple(r) for r in con.execute(OUTLIERS_SQL).fetchall()}
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


def test_a_metric_read_every_two_weeks_is_checked() -> None:
    """DESIGN: "a metric with fewer than 7 days of values is not checked": a metric with
    8 days of values, 4 of them in the 8 weeks before, is checked against those 4 (it
    was not, when the 7 days had to be in the 8 weeks: no typo of a level read twice a
    month was ever asked about)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE daily_values (metric VARCHAR, day DATE, value DOUBLE)")
    for n in range(0, 112, 14):
        con.execute("INSERT INTO daily_values VALUES ('m', ?, 100.0)", [START + dt.timedelta(n)])
    day = START + dt.timedelta(112)
    found = find_outlier(con, "m", day, 100_000.0)
    assert found is not None and found.reference == 100.0 and found.days == 4
    assert find_outlier(con, "m", day, 1_000.0) is None  # ten times: not more than ten
    con.execute("DELETE FROM daily_values WHERE day = ?", [START])  # 7 days: still checked
    assert find_outlier(con, "m", day, 100_000.0) is not None
    con.execute("DELETE FROM daily_values WHERE day = ?", [START + dt.timedelta(14)])
    assert find_outlier(con, "m", day, 100_000.0) is None  # 6 days: not checked
