"""Lagged correlations in one matrix agree with DuckDB's corr() over a self-join, the
way the audit computed them before (and the way a reader would check one pair by hand)."""

from __future__ import annotations

import math

import duckdb
import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.correlations import (
    Link,
    WeeklyRows,
    lagged_correlations,
    pair_stats,
    strongest_links,
)

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
        WeeklyRows([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]), pairs
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
    got = lagged_correlations(WeeklyRows(metrics, weeks * 2, values), [("flat", "moving")])
    assert all(math.isnan(r) for _, r, _ in got[("flat", "moving")])
    assert [(lag, n) for lag, _, n in got[("flat", "moving")]] == [(0, 8), (1, 7), (2, 6)]


def _walked(correlations: dict, outcomes: dict, min_n: int = 3) -> dict:
    """The audit's rule as it was written before strongest_links: walk every outcome and
    lag in order, keep the first strongest, and note whether every r was NaN."""
    links = {}
    for lead, outs in outcomes.items():
        found = [(o, lag, r, n) for o in outs for lag, r, n in correlations.get((lead, o), [])]
        if not found:
            continue
        best = None
        for o, lag, r, n in found:
            value = 0.0 if r is None or r != r or n < min_n else abs(r)
            if best is None or value > best[0]:
                best = (value, o, lag, r if value > 0 else 0.0)  # with its sign
        flat = all(r is None or r != r for _, _, r, _ in found)
        links[lead] = Link(best[0], best[1], best[2], flat, best[3])
    return links


@settings(max_examples=150, deadline=None)
@given(
    series=st.lists(st.tuples(weekly, levels, st.integers(0, 4)), min_size=2, max_size=6),
    links=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=20),
)
def test_strongest_links_agree_with_walking_every_pair(series: list, links: list) -> None:
    rows = [
        (f"m{i}", offset + w, level + v)
        for i, (values, level, offset) in enumerate(series)
        for w, v in enumerate(values)
        if v is not None
    ]
    # leads and outcomes may name metrics without a series (m6, m7), as a plan can
    outcomes: dict[str, list[str]] = {}
    for a, b in links:
        if a != b and f"m{b}" not in outcomes.setdefault(f"m{a}", []):
            outcomes[f"m{a}"].append(f"m{b}")
    columns = WeeklyRows([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    pairs = [(lead, out) for lead, outs in outcomes.items() for out in outs]
    assert strongest_links(columns, outcomes) == _walked(
        lagged_correlations(columns, pairs), outcomes
    )


def test_the_strongest_link_is_the_first_of_equals() -> None:
    """Two outcomes that follow the lead equally well: the first in plan order is named,
    and its shortest lag."""
    weeks = list(range(8))
    lead = [float(v) for v in (3, 1, 4, 1, 5, 9, 2, 6)]
    metrics = ["lead"] * 8 + ["a"] * 8 + ["b"] * 8
    found = strongest_links(WeeklyRows(metrics, weeks * 3, lead * 3), {"lead": ["b", "a"]})["lead"]
    assert (found.outcome, found.lag, found.flat) == ("b", 0, False)
    assert abs(found.r - 1.0) < 1e-12


def test_audits_at_once_leave_blas_threads_as_they_found_them() -> None:
    """The correlations run BLAS on one thread, a setting of the whole process: dashboard
    sessions auditing at the same time must not leave it at one thread afterwards."""
    from concurrent.futures import ThreadPoolExecutor

    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    rng = np.random.default_rng(3)
    names = [f"m{i}" for i in range(40)]
    rows = WeeklyRows(
        [n for n in names for _ in range(26)],
        [w for _ in names for w in range(26)],
        rng.normal(size=40 * 26),
    )
    pairs = [(a, b) for a in names[:20] for b in names[20:]]
    before = blas_threads()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: pair_stats(rows, pairs), range(64)))
    assert blas_threads() == before
