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

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from threadpoolctl import ThreadpoolController

LAGS = (0, 1, 2)

# (lead, outcome) -> [(lag, r, n)]; r is NaN (never None here) when a side is constant
Correlations = dict[tuple[str, str], list[tuple[int, float | None, int]]]


class WeeklyRows(NamedTuple):
    """The rows of the weekly series, one column each: the metric, the week as a number
    (one apart per week) and its value; weeks without a value are left out."""

    metrics: Sequence[str] | np.ndarray
    weeks: Sequence[int] | np.ndarray
    values: Sequence[float] | np.ndarray


def lagged_correlations(
    rows: WeeklyRows, pairs: Iterable[tuple[str, str]], lags: Sequence[int] = LAGS
) -> Correlations:
    """(lead, outcome) -> [(lag, r, n)] for the lags where the two series share a week;
    the outcome's week is the lead's week plus the lag."""
    pairs = list(dict.fromkeys(pairs))
    rs, shared = pair_stats(rows, pairs, lags)
    found: Correlations = {}
    for pair, r_row, n_row in zip(pairs, rs.tolist(), shared.tolist(), strict=True):
        kept = [(lag, r, n) for lag, r, n in zip(lags, r_row, n_row, strict=True) if n > 0]
        if kept:
            found[pair] = kept
    return found


@dataclass(frozen=True)
class Link:
    """A lead metric's strongest link to its outcomes (what the audit's "no link" rule
    reads): the largest |r| over its outcomes and lags, counting 0 where r is NaN or
    fewer than ``min_n`` weeks are shared; the first such in outcome, then lag order;
    ``flat`` when every correlation found is NaN (the series stayed constant)."""

    r: float
    outcome: str
    lag: int
    flat: bool
    signed_r: float = 0.0  # that correlation with its sign (-0.26 where ``r`` is 0.26)


def strongest_links(
    rows: WeeklyRows,
    outcomes: Mapping[str, Sequence[str]],
    lags: Sequence[int] = LAGS,
    min_n: int = 3,
) -> dict[str, Link]:
    """Each lead's ``Link`` to its ``outcomes`` (lead -> outcome metrics, in order); a
    lead without one correlation found is left out. The same answer as walking
    ``lagged_correlations`` pair by pair, without building 27,000 lists at L."""
    leads = [lead for lead, outs in outcomes.items() if outs]
    pairs = [(lead, out) for lead in leads for out in outcomes[lead]]
    if not pairs:
        return {}
    rs, shared = pair_stats(rows, pairs, lags)
    width = len(lags)
    present = (shared > 0).ravel()
    real = present & ~np.isnan(rs).ravel()
    strength = np.where(real & (shared.ravel() >= min_n), np.abs(rs).ravel(), 0.0)
    strength[~present] = -1.0  # not found: never the strongest
    starts = np.cumsum([0] + [len(outcomes[lead]) * width for lead in leads[:-1]])
    counts = np.diff(np.append(starts, len(strength)))
    best = np.maximum.reduceat(strength, starts)
    at = np.arange(len(strength))
    first = np.minimum.reduceat(
        np.where(strength == np.repeat(best, counts), at, len(strength)), starts
    )
    flat = ~np.logical_or.reduceat(real, starts)
    links = {}
    for i, lead in enumerate(leads):
        if best[i] < 0:
            continue
        pair, lag = divmod(int(first[i]), width)
        signed = float(rs.ravel()[first[i]]) if best[i] > 0 else 0.0
        links[lead] = Link(float(best[i]), pairs[pair][1], lags[lag], bool(flat[i]), signed)
    return links


def pair_stats(
    rows: WeeklyRows, pairs: Sequence[tuple[str, str]], lags: Sequence[int] = LAGS
) -> tuple[np.ndarray, np.ndarray]:
    """r and the shared weeks n of every pair (rows, in order) at every lag (columns):
    n = 0 where the pair shares no week at that lag or a metric has no series."""
    metrics, weeks, values = rows
    rs = np.full((len(pairs), len(lags)), np.nan)
    shared = np.zeros((len(pairs), len(lags)), dtype=np.int64)
    if not pairs or not len(values):
        return rs, shared
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
    known = np.array([a in index and b in index for a, b in pairs], dtype=bool)
    if not known.any():
        return rs, shared
    kept = [pair for pair, ok in zip(pairs, known.tolist(), strict=True) if ok]
    leads = sorted({index[a] for a, _ in kept})
    outs = sorted({index[b] for _, b in kept})
    at_lead = {m: i for i, m in enumerate(leads)}
    at_out = {m: i for i, m in enumerate(outs)}
    pair_lead = np.array([at_lead[index[a]] for a, _ in kept], dtype=np.int64)
    pair_out = np.array([at_out[index[b]] for _, b in kept], dtype=np.int64)
    width = grid.shape[1]
    with _one_blas_thread():
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
            shared[known, at] = n[pair_lead, pair_out]
            rs[known, at] = r[pair_lead, pair_out]
    return rs, shared


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded BLAS libraries once (2 ms)


_BLAS_LIMIT = threading.Lock()


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread for the products above. They are a few hundred rows by 26 weeks:
    a second BLAS thread adds only its hand-off, and its spin-waiting takes a core from
    DuckDB's threads when the audit computes progress beside them (the correlations at L
    under that load: 150 -> 110 ms).

    The limit is the whole process's: two dashboard sessions auditing at once take turns,
    or the one leaving last would put back the other's limit instead of the BLAS default."""
    with _BLAS_LIMIT, _blas().limit(limits=1, user_api="blas"):
        yield
