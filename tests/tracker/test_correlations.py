"""Lagged correlations in one matrix agree with DuckDB's corr() over a self-join, the
way the audit computed them before (and the way a reader would check one pair by hand)."""

from __future__ import annotations

import math

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.correlations import lagged_correlations

REFERENCE = """
SELECT x.metric, y.metric, l.lag, corr(x.value, y.value), count(*)
FROM series x
JOIN pairs p ON p.lead = x.metric
JOIN (VALUES (0), (1), (2)) l(lag) ON true
JOIN series y ON y.metric = p.outcome AND y.week = x.week + l.lag
GROUP BY ALL
"""

CON = duckdb.connect()  # one for every example: a connection costs 25 ms

levels = st.sampled_from([0.0, 1.0, 1e6, -50.0])
weekly = st.lists(
    # values as metrics hold them: counts and money to the cent (not 1e-130, where DuckDB's
    # corr and any rounding-aware check part ways on what "constant" means)
    st.one_of(st.none(), st.integers(-100_000, 100_000).map(lambda v: v / 100), st.just(7.0)),
    min_size=0,
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(series=st.lists(st.tuples(weekly, levels, st.integers(0, 4)), min_size=2, max_size=5))
def test_matches_duckdb_corr(series: list) -> None:
    rows = [
        (f"m{i}", offset + w, level + v)
        for i, (values, level, offset) in enumerate(series)
        for w, v in enumerate(values)
        if v is not None
    ]
    names = [f"m{i}" for i in range(len(series))]
    pairs = [(a, b) for a in names for b in names if a != b]
    got = lagged_correlations(
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], pairs
    )
    con = CON
    series_table = pa.table(
        {
            "metric": pa.array([r[0] for r in rows], pa.string()),
            "week": pa.array([r[1] for r in rows], pa.int32()),
            "value": pa.array([r[2] for r in rows], pa.float64()),
        }
    )
    pairs_table = pa.table({"lead": [a for a, _ in pairs], "outcome": [b for _, b in pairs]})
    con.register("series", series_table)
    con.register("pairs", pairs_table)
    expected: dict = {}
    for a, b, lag, r, n in con.execute(REFERENCE).fetchall():
        expected.setdefault((a, b), {})[lag] = (r, n)
    assert set(got) == set(expected)
    for pair, lags in expected.items():
        mine = {lag: (r, n) for lag, r, n in got[pair]}
        assert set(mine) == set(lags)
        for lag, (r, n) in lags.items():
            my_r, my_n = mine[lag]
            assert my_n == n
            if r is None or math.isnan(r):
                assert math.isnan(my_r), (pair, lag, r, my_r)
            else:
                assert abs(my_r - r) < 1e-6, (pair, lag, r, my_r)


def test_a_constant_series_has_no_correlation_even_at_a_million() -> None:
    weeks = list(range(8))
    metrics = ["flat"] * 8 + ["moving"] * 8
    values = [1_000_000.1] * 8 + [float(v) for v in (3, 1, 4, 1, 5, 9, 2, 6)]
    got = lagged_correlations(metrics, weeks * 2, values, [("flat", "moving")])
    assert all(math.isnan(r) for _, r, _ in got[("flat", "moving")])
    assert [(lag, n) for lag, _, n in got[("flat", "moving")]] == [(0, 8), (1, 7), (2, 6)]
