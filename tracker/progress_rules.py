"""The progress rules, applied to one KPI's window and aggregates at a time.

``tracker/progress_sql.py``'s ``PROGRESS_QUERY`` gives one row per KPI side (the metric
it reads, or a ratio's numerator and denominator): the KPI's window and the aggregates
of the daily values the side reads (sum, latest, first, the value before the start, the
recent days' sum, the forecast's line read at the deadline). ``kpi_rows`` puts each
KPI's sides together into one row (``ROW_FIELDS``), and ``judge`` turns such a row into
the numbers DESIGN.md's "Progress rules" define: current, baseline, progress, expected,
pace, status, forecast, forecast status and needed per week. docs/progress.md states
the rules in words.

Why here and not in the statement: written as SQL, the rules were five more CTEs over
a forty-column row, and planning them cost a sixth of `waypoint status` at 1,000 KPIs
(docs/performance.md); in Python they take about 2 ms for 1,000 KPIs.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# PROGRESS_QUERY's columns, by the names it gives them (a test holds the two together):
# the KPI's, then its side's.
SIDE_FIELDS = (
    "kpi", "objective", "name", "metric", "numerator", "denominator", "aggregation",
    "per", "stay", "owner", "target", "given_baseline", "kstart",
    "wstart", "wend", "wdeadline", "side", "behaviour", "unit", "metric_class",
    "n_in", "w_sum", "latest", "last_day", "first_day", "w_first", "before_start",
    "recent_sum", "at_deadline",
)  # fmt: skip

# One KPI's row, as kpi_rows gives it to judge: first what KpiProgress passes through
# unchanged, then the rules' inputs.
ROW_FIELDS = (
    "kpi", "objective", "name", "metric", "aggregation", "per", "stay", "unit", "start",
    "deadline", "owner", "last_day",
    "target", "given_baseline", "kpi_start", "n_in", "w_sum", "latest", "w_first",
    "before_start", "recent_sum", "at_deadline", "n_days", "num_value", "den_value",
)  # fmt: skip

_NINE_DECIMALS = decimal.Decimal("1e-9")


def round9(x: float) -> float:
    """``x`` at 9 decimals, halves away from zero on its exact binary value, as DuckDB's
    ``round(x, 9)`` does: progress and pace are compared as reports show them (a pace
    of 0.8999999999999999 is 0.9)."""
    if not abs(x) < 2.0**53:  # a whole number already (or not finite): itself
        return x
    scaled = x * 1e9
    whole = math.floor(scaled)
    fraction = scaled - whole  # exact
    if abs(fraction - 0.5) < 1e-3 or abs(scaled) >= 2.0**52:
        # near a half the product has lost the digit that decides: 70369.2437905015 is
        # 70369.24379050149582... in binary, below the half, though x * 1e9 ends in .5
        with decimal.localcontext(prec=60):
            return float(decimal.Decimal(x).quantize(_NINE_DECIMALS, decimal.ROUND_HALF_UP))
    return (whole + (fraction > 0.5)) / 1e9


_SIDE = {name: i for i, name in enumerate(SIDE_FIELDS)}
_KIND, _W_SUM, _LATEST, _BEHAVIOUR = (
    _SIDE["side"],
    _SIDE["w_sum"],
    _SIDE["latest"],
    _SIDE["behaviour"],
)
_FIRST_DAY, _LAST_DAY = _SIDE["first_day"], _SIDE["last_day"]
_UNIT, _CLASS = _SIDE["unit"], _SIDE["metric_class"]


def _side_value(side: Sequence[Any] | None) -> float | None:
    """A ratio side's value, by its metric's behaviour: a flow's window sum, a stock's
    latest level."""
    if side is None:
        return None
    return side[_W_SUM] if side[_BEHAVIOUR] == "flow" else side[_LATEST]


def kpi_rows(sides: Iterable[Sequence[Any]], currency: str) -> Iterator[tuple[Any, ...]]:
    """Each KPI's row (``ROW_FIELDS``) from PROGRESS_QUERY's rows (``SIDE_FIELDS``), in
    their order: each KPI's value side (it always has one), then its ratio's sides.
    ``currency``: the workspace's, the unit of a spend metric that names none."""
    value: Sequence[Any] | None = None
    parts: list[Sequence[Any]] = []
    for side in sides:
        if side[_KIND] == "value":
            if value is not None:
                yield _kpi_row(value, parts, currency)
            value, parts = side, []
        elif value is None or side[0] != value[0]:
            # the statement's ORDER BY puts each KPI's value side first: a side that
            # comes elsewhere would be read as another KPI's
            raise ValueError(f"KPI {side[0]!r}: its {side[_KIND]} side came before its value")
        else:
            parts.append(side)
    if value is not None:
        yield _kpi_row(value, parts, currency)


def _kpi_row(value: Sequence[Any], parts: list[Sequence[Any]], currency: str) -> tuple[Any, ...]:
    (kpi, objective, name, metric, numerator, denominator, agg, per, stay, owner,
     target, given_baseline, kstart, wstart, wend, wdeadline, _side, _behaviour, unit,
     metric_class, n_in, w_sum, latest, last_day, first_day, w_first, before_start, recent_sum,
     at_deadline) = value  # fmt: skip
    num = den = None
    for part in parts:
        if part[_KIND] == "num":
            num = part
        elif part[_KIND] == "den":
            den = part
    if unit is None and num is not None:
        # a ratio shows its numerator's unit: cost / leads is money per lead
        unit = num[_UNIT]
    if unit is None:
        # a spend metric without a unit is money in the workspace's currency
        if metric_class is None and num is not None:
            metric_class = num[_CLASS]
        if metric_class == "spend":
            unit = currency
    if agg == "ratio":
        metric = (
            f"{numerator}/{denominator}"
            if numerator is not None and denominator is not None
            else None
        )
    # without a start the window starts at its first value, and is paced from there;
    # a ratio's at the first value of either side, its last day the later side's
    opened = wstart if wstart is not None else first_day
    start = opened
    if parts:
        if start is None:
            firsts = [p[_FIRST_DAY] for p in parts if p[_FIRST_DAY] is not None]
            start = min(firsts) if firsts else None
        if last_day is None:
            lasts = [p[_LAST_DAY] for p in parts if p[_LAST_DAY] is not None]
            last_day = max(lasts) if lasts else None
    return (
        kpi, objective, name, metric, agg, per, stay, unit, start, wdeadline, owner,
        last_day, target, given_baseline, kstart, n_in, w_sum, latest, w_first,
        before_start, recent_sum, at_deadline,
        # n, the days in the window; without a start it begins at the first value
        (wend - opened).days + 1 if opened is not None else None,
        _side_value(num), _side_value(den),
    )  # fmt: skip


def judge(
    row: Sequence[Any], as_of: dt.date, on: float, risk: float, closed: bool
) -> tuple[Any, ...]:
    """One KPI's progress from its row of PROGRESS_QUERY (``ROW_FIELDS``): a tuple in
    KpiProgress's field order.

    ``on`` and ``risk`` are the pace thresholds; ``closed``: the as-of day is over (a
    review of a finished week), so a deadline on it has passed.
    """
    (kpi, objective, name, metric, agg, per, stay, unit, start, deadline, owner, last_day,
     target, given_baseline, kpi_start, n_in, w_sum, latest, w_first, before_start,
     recent_sum, at_deadline, n_days, num_value, den_value) = row  # fmt: skip

    past_deadline = deadline is not None and (as_of > deadline or (closed and as_of == deadline))
    days_left = max((deadline - as_of).days, 0) if deadline is not None else None
    mean = w_sum / n_in if n_in and w_sum is not None else None
    if per is not None and past_deadline and w_sum is None:
        # a recurring target's period that closed without a value summed to 0: it is
        # missed, like the period in its history, not waiting for data
        w_sum = 0.0

    if agg == "sum":
        current = w_sum
    elif agg == "latest":
        current = latest
    elif agg == "mean":
        current = mean
    elif agg == "ratio" and num_value is not None and den_value:  # 0 below: no value
        current = num_value / den_value
    else:
        current = None

    if stay is not None:
        baseline = None
    elif given_baseline is not None:
        baseline = given_baseline
    elif agg in ("sum", "ratio"):
        baseline = 0.0
    else:
        baseline = before_start if before_start is not None else w_first

    judged = stay is None and current is not None and target is not None
    progress = None
    if judged and baseline is not None:
        if target == baseline:  # only a derived baseline can equal the target
            progress = 1.0 if current >= target else 0.0
        else:
            progress = (current - baseline) / (target - baseline)
    expected = None
    if stay is None and start is not None and deadline is not None:
        if deadline == start:
            expected = 1.0 if as_of >= deadline else 0.0
        else:
            expected = max(0.0, min(1.0, (as_of - start).days / (deadline - start).days))
    pace = progress / expected if progress is not None and expected else None
    reached = progress is not None and round9(progress) >= 1
    # a value is at its target within a billionth of it
    tol = 1e-9 * max(1.0, abs(target)) if target is not None else 0.0

    if target is None:
        status = "no_target"
    elif kpi_start is not None and as_of < kpi_start:
        status = "not_started"  # no check-in is due and nothing is judged
    elif current is None or (stay is None and agg != "ratio" and not n_in and per is None):
        # a KPI to reach is judged on its window's values; a health KPI on its current
        # value (DESIGN: "no_data without a value"), which for a level is the last one on
        # or before the day, measured before the window or in it (a stale one is flagged)
        status = "no_data"
    elif stay == "above":
        status = "on_track" if current >= target - tol else "off_track"
    elif stay == "below":
        status = "on_track" if current <= target + tol else "off_track"
    elif reached:
        status = "achieved"
    elif past_deadline:
        status = "missed"
    elif not expected:  # nothing can be paced yet (or at all): on track until achieved
        status = "on_track"
    else:
        rounded = round9(pace) if pace is not None else None
        if rounded is not None and rounded >= on:
            status = "on_track"
        elif rounded is not None and rounded >= risk:
            status = "at_risk"
        else:
            status = "off_track"

    forecast = None
    if stay is None and current is not None:
        forecast = current
        if days_left:
            if agg == "sum" and n_days and n_days > 0:
                # the average day of the window's last 28 (fewer in a shorter window)
                recent = recent_sum if recent_sum is not None else 0.0
                forecast = current + recent / min(28, n_days) * days_left
            elif agg == "latest" and at_deadline is not None:
                forecast = at_deadline  # the fitted line read at the deadline

    forecast_status = needed = None
    if judged:
        aims_down = baseline is not None and target < baseline
        if forecast is None:
            forecast_status = "will_miss"
        elif aims_down:
            forecast_status = "will_hit" if forecast <= target + tol else "will_miss"
        else:
            forecast_status = "will_hit" if forecast >= target - tol else "will_miss"
        if not past_deadline and days_left is not None:
            needed = 0.0 if reached else (target - current) / max(days_left / 7.0, 1 / 7.0)

    return (
        kpi, objective, name, metric, agg, per, stay, unit, start, deadline, current,
        baseline, target, progress, expected, pace, status, forecast, forecast_status,
        needed, owner, last_day, days_left,
    )  # fmt: skip
