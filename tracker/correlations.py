"""Lagged correlations of weekly series, many pairs at once.

The vanity audit and "what's working" ask, for every reach or engagement metric and every
outcome on its channel, how well this week's value follows the metric 0, 1 and 2 weeks
earlier. At a thousand metrics that is tens of thousands of pairs; a self-join in SQL
(one row per pair, lag and week) took a second. Here the series sit in one matrix (metric
x week, NaN where a week has no value) and every sum Pearson's r needs is one matrix
product over the weeks both series have, so all pairs of one lag cost a few milliseconds.

The result is what ``corr(x, y)`` over the weeks both series have gives: NaN when either
side is constant over those weeks, and ``n`` the number of such weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

LAGS = (0, 1, 2)

# (lead, outcome) -> [(lag, r, n)]; r is NaN (never None here) when a side is constant
Correlations = dict[tuple[str, str], list[tuple[int, float | None, int]]]


def lagged_correlations(
    metrics: Sequence[str] | np.ndarray,
    weeks: Sequence[int] | np.ndarray,
    values: Sequence[float] | np.ndarray,
    pairs: Iterable[tuple[str, str]],
    lags: Sequence[int] = LAGS,
) -> Correlations:
    """(lead, outcome) -> [(lag, r, n)] for the lags where the two series share a week.

    ``metrics``, ``weeks`` and ``values`` are the rows of the weekly series (week as a
    number, one apart per week; rows with no value left out); the outcome's week is the
    lead's week plus the lag.
    """
    pairs = list(dict.fromkeys(pairs))
    if not pairs or not len(values):
        return {}
    # a row number per metric, in order of appearance (a dict: np.unique sorts objects)
    index: dict[str, int] = {}
    names = np.asarray(metrics, dtype=object).tolist()
    row = np.fromiter((index.setdefault(m, len(index)) for m in names), np.int64, len(names))
    week = np.asarray(weeks, dtype=np.int64)
    week = week - week.min()
    grid = np.full((len(index), int(week.max()) + 1), np.nan)
    grid[row, week] = np.asarray(values, dtype=float)
    # Centre each series on its mean and scale it to unit size: Pearson's r does not change,
    # and the sums below no longer lose digits to large levels (a million impressions a
    # week that vary by a hundred).
    with np.errstate(invalid="ignore", divide="ignore"):
        grid -= np.nanmean(grid, axis=1, keepdims=True)
        scale = np.nanmax(np.abs(grid), axis=1, keepdims=True)
        grid /= np.where(scale > 0, scale, 1.0)
    pairs = [(a, b) for a, b in pairs if a in index and b in index]
    leads = sorted({index[a] for a, _ in pairs})
    outs = sorted({index[b] for _, b in pairs})
    at_lead = {m: i for i, m in enumerate(leads)}
    at_out = {m: i for i, m in enumerate(outs)}
    pair_lead = np.array([at_lead[index[a]] for a, _ in pairs], dtype=np.int64)
    pair_out = np.array([at_out[index[b]] for _, b in pairs], dtype=np.int64)
    width = grid.shape[1]
    # r and n of every pair at every lag, read back into lists once at the end
    rs = np.full((len(pairs), len(lags)), np.nan)
    shared = np.zeros((len(pairs), len(lags)), dtype=np.int64)
    for at, lag in enumerate(lags):
        if lag >= width:
            continue
        x = grid[leads, : width - lag]
        y = grid[outs, lag:]
        mx, my = ~np.isnan(x), ~np.isnan(y)
        x0, y0 = np.where(mx, x, 0.0), np.where(my, y, 0.0)
        fx, fy = mx.astype(float), my.astype(float)
        n = fx @ fy.T
        sx, sy = x0 @ fy.T, fx @ y0.T
        with np.errstate(invalid="ignore", divide="ignore"):
            vx = x0**2 @ fy.T - sx * sx / n
            vy = fx @ (y0**2).T - sy * sy / n
            cov = x0 @ y0.T - sx * sy / n
            # Over the shared weeks a constant series has no variance; on unit-scaled data
            # anything this small is rounding, and corr() says NaN.
            flat = (vx <= 1e-13 * n) | (vy <= 1e-13 * n)
            r = np.clip(cov / np.sqrt(vx * vy), -1.0, 1.0)
        r[flat] = np.nan
        shared[:, at] = n[pair_lead, pair_out]
        rs[:, at] = r[pair_lead, pair_out]
    found: Correlations = {}
    for pair, r_row, n_row in zip(pairs, rs.tolist(), shared.tolist(), strict=True):
        kept = [(lag, r, n) for lag, r, n in zip(lags, r_row, n_row, strict=True) if n > 0]
        if kept:
            found[pair] = kept
    return found
